"""Following the credits service's answers: a reserved credit books, a rejection rejects.

The first answer for a booking or check-in stands (the credits service decides once); a
redelivered or replayed answer changes nothing. An answer for a booking not seen yet is kept,
and the status is derived when the booking arrives.
"""

from shared.contract.credits import CreditRejected, CreditReserved
from services.bookings.domain.outputs import Lifecycle
from services.bookings.domain.state import BookingsState, CreditAnswer


def answer_from(event: object) -> CreditAnswer | None:
    """The answer a credits event carries, or None for the events bookings does not follow."""
    if isinstance(event, CreditReserved):
        return CreditAnswer("booking", event.booking_id, "reserved", event.event_id)
    if isinstance(event, CreditRejected) and (event.booking_id or event.checkin_id):
        kind, subject = ("booking", event.booking_id) if event.booking_id else ("checkin", event.checkin_id)
        return CreditAnswer(kind, subject, "rejected", event.event_id, event.reason, event.detail)
    return None


def record_answer(state: BookingsState, answer: CreditAnswer, out: Lifecycle) -> None:
    if state.answer(answer.kind, answer.subject_id):
        return
    state.answers.append(answer)
    booking = state.booking(answer.subject_id) if answer.kind == "booking" else None
    if booking and booking.closing and booking.closing.held:
        if answer.outcome == "reserved":
            out.release(booking.closing.held)
        booking.closing.held = None
