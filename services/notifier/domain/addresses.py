"""Whether a client can be emailed, judged when a message is sent (the profile keeps what the
front desk typed, whatever it is).

"Syntactically valid" is RFC 5321/6531 syntax as email-validator checks it, with none of its
deliverability opinions: dotless domains (`maria@studio`), reserved and special-use names
(`.test`, `.local`, `localhost`) and internationalised addresses are addresses; the mail server
judges whether they can receive mail. Surrounding whitespace is a copy-paste slip and is trimmed;
whitespace, control characters (CR/LF: header injection), a missing or a second @-sign anywhere
else make it not an address. Quoted local parts and IP literals are refused too: front desks do
not type them, and refusing them keeps the recipient a plain `local@domain`.
"""

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

NO_ADDRESS = "No email address on file."
OPTED_OUT = "The client opted out of email."
RESERVED = "special-use or reserved name"  # email-validator's words for a domain it will not deliver to


@dataclass(frozen=True)
class Reachability:
    address: str | None  # what to hand to the SMTP server (None: not reachable)
    reason: str | None  # why not, a sentence

    @property
    def reachable(self) -> bool:
        return self.address is not None


def reachability(profile: dict | None) -> Reachability:
    """Can this client be emailed, and if not, why not (missing, opted out, not an address)."""
    email = (profile or {}).get("email")
    if email is None or not email.strip():
        return Reachability(None, NO_ADDRESS)
    if (profile or {}).get("email_opt_out"):
        return Reachability(None, OPTED_OUT)
    return judge_address(email)


def judge_address(email: str) -> Reachability:
    """The address to send to (normalised; the domain in ASCII where the local part allows it)."""
    given = email.strip(" \t")
    try:
        checked = _syntax(given)
    except EmailNotValidError as error:
        return Reachability(None, f"The email address {email!r} is not an address: {error}")
    return Reachability(checked.ascii_email or checked.normalized, None)


@dataclass(frozen=True)
class _Checked:
    normalized: str
    ascii_email: str | None


def _syntax(address: str) -> _Checked:
    try:
        return _checked(address)
    except EmailNotValidError as error:
        if RESERVED not in str(error):
            raise
    # The special-use list is the one check left that is about where mail can go, not syntax:
    # the same address with its top-level label swapped for `test` has exactly its syntax.
    local, _, domain = address.rpartition("@")
    stem, dot, top = domain.rpartition(".")
    checked = _checked(f"{local}@{stem}{dot}test")
    return _Checked(_swap_top(checked.normalized, top.lower()),
                    _swap_top(checked.ascii_email, top.lower()) if checked.ascii_email and top.isascii() else None)


def _checked(address: str) -> _Checked:
    result = validate_email(address, check_deliverability=False, test_environment=True, globally_deliverable=False)
    return _Checked(result.normalized, result.ascii_email)


def _swap_top(address: str, top: str) -> str:
    return f"{address.rpartition('.')[0]}.{top}" if "." in address.rpartition("@")[2] else \
        f"{address.rpartition('@')[0]}@{top}"
