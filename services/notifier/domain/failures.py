"""Why a message was not delivered, as a sentence staff can read (the raw SMTP text goes to the log).

The delivery errors' texts have a known shape (`SMTP <code> ...`, `gave up after N attempts: ...`,
`SMTP exchange broke off: ...`); a text of any other shape still gets a sentence.
"""

import re

_CODE = re.compile(r"SMTP (\d{3})\b")
_ATTEMPTS = re.compile(r"gave up after (\d+) attempts")

NO_TEMPLATE = "The message's template no longer exists, so there was nothing to send."


def failure_sentence(raw: str) -> str:
    code, attempts = _CODE.search(raw), _ATTEMPTS.search(raw)
    if attempts:
        return _gave_up(code.group(1) if code else None, attempts.group(1))
    if code:
        return f"The mail server refused the message (SMTP {code.group(1)}); it was not sent."
    if "broke off" in raw:
        return ("The connection to the mail server broke off while sending; the message may or may not have "
                "arrived, and it is not sent again.")
    return "The message could not be delivered; it is not sent again."


def _gave_up(code: str | None, attempts: str) -> str:
    if code:
        return (f"The mail server kept asking to try later (SMTP {code}); the message was not sent after "
                f"{attempts} attempts.")
    return f"The mail server could not be reached; the message was not sent after {attempts} attempts."
