"""How bookings and check-ins take, give back and use credits.

A booking holds its credit at once (or is rejected and recorded as such). It then moves once:
released (cancelled in time) or consumed (late cancel, attended, no-show). The same transition
event again is a no-op; any other move of a closed or rejected booking is illegal.
"""

from datetime import tzinfo

from shared.contract.bookings import (
    BookingAttended,
    BookingCancelled,
    BookingCreated,
    BookingNoShow,
    CheckinRecorded,
    CreditSource,
)
from shared.contract.credits import CreditConsumed, CreditRejected, CreditReleased, CreditReserved
from services.credits.domain.announcements import announce_source_of
from services.credits.domain.claims import Claim, Outcome
from shared.fingerprints import fingerprint, is_repeat
from services.credits.domain.errors import ConflictingDuplicate, IllegalTransition, UnknownBooking
from services.credits.domain.instants import Moment, as_utc
from services.credits.domain.outputs import Outputs
from services.credits.domain.selection import Rejection, choose_source
from services.credits.domain.state import CreditsState


def create_booking(state: CreditsState, event: BookingCreated, at: Moment, out: Outputs) -> None:
    content = fingerprint(
        session_id=event.session_id, session_name=event.session_name,
        session_starts_at=event.session_starts_at, credit_source=event.credit_source,
    )
    existing = state.claim("booking", event.booking_id)
    if existing and is_repeat(existing.fingerprint, content, "booking", event.booking_id):
        return
    claim = Claim("booking", event.booking_id, content, as_utc(event.session_starts_at))
    if _take_credit(state, claim, event.credit_source, at.zone, out):
        out.emit(CreditReserved, booking_id=claim.claim_id, source=claim.source, session_starts_at=claim.starts_at)
        announce_source_of(state, claim, out)


def record_checkin(state: CreditsState, event: CheckinRecorded, at: Moment, out: Outputs) -> None:
    content = fingerprint(at=event.at, credit_source=event.credit_source)
    existing = state.claim("checkin", event.checkin_id)
    if existing and is_repeat(existing.fingerprint, content, "checkin", event.checkin_id):
        return
    claim = Claim("checkin", event.checkin_id, content, as_utc(event.at), state="consumed", outcome="checkin")
    if _take_credit(state, claim, event.credit_source, at.zone, out):
        out.emit(CreditConsumed, checkin_id=claim.claim_id, source=claim.source, cause="checkin")
        announce_source_of(state, claim, out)


def cancel_booking(state: CreditsState, event: BookingCancelled, at: Moment, out: Outputs) -> None:
    _close(state, event.booking_id, event.event_id, "late_cancel" if event.late else "released", out)


def attend_booking(state: CreditsState, event: BookingAttended, at: Moment, out: Outputs) -> None:
    _close(state, event.booking_id, event.event_id, "attended", out)


def mark_no_show(state: CreditsState, event: BookingNoShow, at: Moment, out: Outputs) -> None:
    _close(state, event.booking_id, event.event_id, "no_show", out)


def _take_credit(state: CreditsState, claim: Claim, named: CreditSource | None, zone: tzinfo, out: Outputs) -> bool:
    """Record the claim with the source that serves it on its local day; False (and CreditRejected)
    when none can."""
    choice = choose_source(state, claim.day(zone), named)
    state.claims.append(claim)
    if isinstance(choice, Rejection):
        claim.state, claim.reason = "rejected", choice.reason
        out.emit(CreditRejected, **claim.ids, reason=choice.reason, detail=choice.detail)
        return False
    claim.source, claim.period_key = choice.source, choice.period_key
    return True


def _close(state: CreditsState, booking_id: str, event_id: str, outcome: Outcome, out: Outputs) -> None:
    claim = state.claim("booking", booking_id)
    if claim is None:
        raise UnknownBooking(booking_id)
    if claim.closed_by == event_id:
        if claim.outcome != outcome:
            raise ConflictingDuplicate("booking transition", event_id)
        return
    if claim.state != "held":
        raise IllegalTransition(booking_id, claim.describe(), outcome)
    claim.closed_by, claim.outcome = event_id, outcome
    claim.state = "released" if outcome == "released" else "consumed"
    _announce_close(state, claim, out)


def _announce_close(state: CreditsState, claim: Claim, out: Outputs) -> None:
    if claim.state == "released":
        out.emit(CreditReleased, booking_id=claim.claim_id, source=claim.source)
    else:
        out.emit(CreditConsumed, booking_id=claim.claim_id, source=claim.source, cause=claim.outcome)
    announce_source_of(state, claim, out)
