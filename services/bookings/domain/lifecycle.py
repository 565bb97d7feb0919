"""The legal moves of a booking and the recording of general check-ins.

A booking is created once and ends once (cancelled, late-cancelled, attended or no-show). The
same fact again is an exact redelivery and changes nothing; the same id with other content, a
second ending, an ending of a rejected booking or of a booking never seen is refused.

An ending that arrives while the credits service has not answered the booking is recorded and
held back: it is handed on once the credit is reserved, and dropped if the booking is rejected,
so the lifecycle topic never carries a move the credits service would have to refuse.
"""

from shared.contract.bookings import (
    BookingAttended,
    BookingCancelled,
    BookingCreated,
    BookingNoShow,
    CheckinRecorded,
)
from shared.fingerprints import fingerprint, is_repeat
from services.bookings.domain.errors import ConflictingDuplicate, IllegalTransition, UnknownBooking
from services.bookings.domain.outputs import Lifecycle
from services.bookings.domain.state import Booking, BookingsState, Checkin, Closing, Outcome
from services.bookings.domain.views import status_of

Ending = BookingCancelled | BookingAttended | BookingNoShow


def create_booking(state: BookingsState, event: BookingCreated, out: Lifecycle) -> None:
    content = fingerprint(session_id=event.session_id, session_name=event.session_name,
                          session_starts_at=event.session_starts_at, credit_source=event.credit_source)
    existing = state.booking(event.booking_id)
    if existing and is_repeat(existing.fingerprint, content, "booking", event.booking_id):
        return
    state.bookings.append(Booking(event.booking_id, content, event.session_id, event.session_name,
                                  event.session_starts_at, event.credit_source))
    out.forward(event)


def end_booking(state: BookingsState, event: Ending, out: Lifecycle) -> None:
    outcome = outcome_of(event)
    booking = state.booking(event.booking_id)
    if booking is None:
        raise UnknownBooking(event.booking_id)
    if booking.closing and booking.closing.event_id == event.event_id:
        if booking.closing.outcome != outcome:
            raise ConflictingDuplicate("booking transition", event.event_id)
        return
    ensure_can_end(state, booking, outcome)
    booking.closing = Closing(event.event_id, outcome)
    if state.answer("booking", booking.booking_id):
        out.forward(event)
    else:
        booking.closing.held = out.hold(event)


def ensure_can_end(state: BookingsState, booking: Booking, outcome: Outcome) -> None:
    """Refuses a second ending and any ending of a rejected booking."""
    current = status_of(booking, state.answer("booking", booking.booking_id))
    if booking.closing or current == "rejected":
        raise IllegalTransition(booking.booking_id, _described(state, booking, current), outcome)


def record_checkin(state: BookingsState, event: CheckinRecorded, out: Lifecycle) -> None:
    content = fingerprint(at=event.at, credit_source=event.credit_source)
    existing = state.checkin(event.checkin_id)
    if existing and is_repeat(existing.fingerprint, content, "checkin", event.checkin_id):
        return
    state.checkins.append(Checkin(event.checkin_id, content, event.at, event.credit_source))
    out.forward(event)


def outcome_of(event: Ending) -> Outcome:
    if isinstance(event, BookingCancelled):
        return "late_cancelled" if event.late else "cancelled"
    return "attended" if isinstance(event, BookingAttended) else "no_show"


def _described(state: BookingsState, booking: Booking, current: str) -> str:
    if current == "rejected":
        return f"rejected ({state.answer('booking', booking.booking_id).reason})"
    return booking.closing.outcome if booking.closing else current
