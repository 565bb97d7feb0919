"""Staff corrections: package credits, a membership period's credits or validity, the account.

Each is keyed by its `command_id` (the HTTP Idempotency-Key): the same command again changes
nothing; the same id with other arguments is a conflicting duplicate.
"""

from datetime import date, datetime, tzinfo

from services.credits.domain import ledger, memberships, packages
from services.credits.domain.adjustments import Adjustment, signed_credits
from services.credits.domain.announcements import announce_entries, announce_package, announce_period
from shared.fingerprints import fingerprint, is_repeat
from services.credits.domain.errors import (
    InsufficientCredits,
    InvalidAdjustment,
    UnknownMembership,
    UnknownPackage,
    UnknownPeriod,
    UnlimitedPeriod,
    ValidityReversed,
)
from services.credits.domain.memberships import Membership
from services.credits.domain.outputs import Outputs
from services.credits.domain.state import CommandRecord, CreditsState


KEEP = "keep"  # a validity field the adjustment leaves as it is (None for `expires_on` is "never")


def adjust_package(state: CreditsState, out: Outputs, *, package_id: str, action: str | None, credits: int | None,
                   note: str | None, actor: str, command_id: str, now: datetime,
                   starts_on: date | str = KEEP, expires_on: date | None | str = KEEP) -> None:
    content = fingerprint(command="adjust_package", package_id=package_id, action=action,
                          credits=credits, note=note, actor=actor, starts_on=str(starts_on),
                          expires_on=str(expires_on))
    if _is_repeated(state, command_id, content):
        return
    package = state.package(package_id)
    if package is None:
        raise UnknownPackage(package_id)
    if (action is None) != (credits is None):
        raise InvalidAdjustment("action and credits go together", "credits" if credits is None else "action")
    delta = 0 if action is None else signed_credits(action, credits)
    changed = (["credits"] if delta else []) + _move_validity(package, starts_on, expires_on)
    if not changed:
        raise InvalidAdjustment("the adjustment changes neither credits nor validity", "expires_on")
    _check_deductible(delta, packages.available(package, state.claims))
    package.adjustments.append(Adjustment(command_id, delta, note, actor, now, package.starts_on,
                                          package.expires_on, changed))
    announce_package(package, state.claims, out)


def _move_validity(package, starts_on, expires_on) -> list[str]:
    """Sets the package's new validity; the fields that changed. A reversed window is refused."""
    new_start = package.starts_on if starts_on == KEEP else starts_on
    new_end = package.expires_on if expires_on == KEEP else expires_on
    if new_end is not None:
        _check_window(new_start, new_end, moved="expires_on" if expires_on != KEEP else "starts_on")
    changed = [name for name, old, new in (("starts_on", package.starts_on, new_start),
                                           ("expires_on", package.expires_on, new_end)) if old != new]
    package.starts_on, package.expires_on = new_start, new_end
    return changed


def adjust_period(state: CreditsState, out: Outputs, *, membership_id: str, period_start: date, action: str,
                  credits: int, valid_from: date | None, valid_to: date | None, note: str | None,
                  actor: str, command_id: str, now: datetime) -> None:
    content = fingerprint(command="adjust_period", membership_id=membership_id, period_start=period_start,
                          action=action, credits=credits, valid_from=valid_from, valid_to=valid_to,
                          note=note, actor=actor)
    if _is_repeated(state, command_id, content):
        return
    membership = _period_owner(state, membership_id, period_start)
    delta = _period_delta(state, membership, period_start, action, credits)
    if delta == 0 and valid_from is None and valid_to is None:
        raise InvalidAdjustment("must be at least 1 unless valid_from or valid_to moves the period", "credits")
    record = membership.record_for_change(period_start)
    record.valid_from = valid_from or record.valid_from
    record.valid_to = valid_to or record.valid_to
    _check_window(*membership.window(period_start), moved="valid_to" if valid_to else "valid_from")
    window = membership.window(period_start)
    changed = (["credits"] if delta else []) + [n for n, v in (("starts_on", valid_from), ("expires_on", valid_to)) if v]
    record.adjustments.append(Adjustment(command_id, delta, note, actor, now, *window, changed))
    announce_period(membership, period_start, state.claims, out)


def adjust_account(state: CreditsState, out: Outputs, *, amount_minor: int, currency: str, note: str,
                   actor: str, command_id: str, now: datetime, zone: tzinfo) -> None:
    content = fingerprint(command="adjust_account", amount_minor=amount_minor, currency=currency,
                          note=note, actor=actor)
    if _is_repeated(state, command_id, content):
        return
    if amount_minor == 0:
        raise InvalidAdjustment("must not be 0", "amount_minor")
    if not note or not note.strip():
        raise InvalidAdjustment("is required on an account adjustment", "note")
    state.account.check_currency(currency)
    announce_entries(ledger.expire_due(state.account, now, state.scope, zone), out)
    posting = ledger.Posting("Manual Adjustment", amount_minor, currency, now, note=note, actor=actor)
    announce_entries([ledger.post(state.account, posting, state.scope)], out)


def _is_repeated(state: CreditsState, command_id: str, content: str) -> bool:
    """True when this command was already applied; otherwise it is recorded as applied now."""
    known = state.command(command_id)
    if known and is_repeat(known.fingerprint, content, "command", command_id):
        return True
    state.commands.append(CommandRecord(command_id, content))
    return False


def _period_owner(state: CreditsState, membership_id: str, period_start: date) -> Membership:
    membership = state.membership(membership_id)
    if membership is None:
        raise UnknownMembership(membership_id)
    if not membership.has_period(period_start):
        raise UnknownPeriod(membership_id, period_start)
    return membership


def _period_delta(state: CreditsState, membership: Membership, key: date, action: str, credits: int) -> int:
    delta = signed_credits(action, credits, minimum=0)
    if delta and membership.credits_per_period is None:
        raise UnlimitedPeriod(membership.membership_id, key)
    if delta < 0:
        _check_deductible(delta, memberships.allowance_left(membership, key, state.claims))
    return delta


def _check_deductible(delta: int, available: int) -> None:
    if -delta > available:
        raise InsufficientCredits(available=available, requested=-delta)


def _check_window(valid_from: date, valid_to: date, moved: str | None = None) -> None:
    if valid_from > valid_to:
        raise ValidityReversed(valid_from, valid_to, moved)
