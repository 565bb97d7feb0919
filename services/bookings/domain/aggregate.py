"""`ClientBookings`: one client's bookings and check-ins at one location.

Every change is made on a draft of the state, so a broken rule leaves the aggregate exactly as
it was. Each call returns the lifecycle events to publish and adds them to `events`, which the
unit of work stores with the next version and publishes.
"""

from typing import Any, Callable

from shared.contract import bookings
from shared.contract.envelope import Event
from services.bookings.domain import lifecycle, state
from services.bookings.domain.answers import answer_from, record_answer
from services.bookings.domain.errors import EventForAnotherClient, UnsupportedEvent
from services.bookings.domain.outputs import Lifecycle
from services.bookings.domain.state import BookingsState, Outcome
from services.bookings.domain.views import booking_view

_HANDLERS: dict[type, Callable] = {
    bookings.BookingCreated: lifecycle.create_booking,
    bookings.BookingCancelled: lifecycle.end_booking,
    bookings.BookingAttended: lifecycle.end_booking,
    bookings.BookingNoShow: lifecycle.end_booking,
    bookings.CheckinRecorded: lifecycle.record_checkin,
}


class ClientBookings:
    def __init__(self, bookings_state: BookingsState) -> None:
        self._state = bookings_state
        self.events: list = []  # every event its changes made since it was loaded, for the unit of work

    @classmethod
    def new(cls, location_id: str, client_id: str) -> "ClientBookings":
        return cls(BookingsState(location_id, client_id))

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "ClientBookings":
        return cls(state.load(document))

    def to_document(self) -> dict[str, Any]:
        return state.dump(self._state)

    @property
    def owner(self) -> tuple[str, str]:
        return self._state.location_id, self._state.client_id

    def handle(self, event: Event) -> list:
        """Apply a booking fact; returns the lifecycle events to publish (RuleViolation if illegal)."""
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise UnsupportedEvent(getattr(event, "type", type(event).__name__))
        self._check_owner(event)
        return self._change(lambda draft, out: handler(draft, event, out))

    def follow(self, event: Event) -> list:
        """Apply a credits event: reserved and rejected answers count, the rest is ignored."""
        answer = answer_from(event)
        if answer is None:
            return []
        self._check_owner(event)
        return self._change(lambda draft, out: record_answer(draft, answer, out))

    def ensure_can_end(self, booking_id: str, outcome: Outcome) -> None:
        """Refuses an ending the current state already rules out; a booking not seen yet may be in flight."""
        booking = self._state.booking(booking_id)
        if booking is not None:
            lifecycle.ensure_can_end(self._state, booking, outcome)

    def view(self, booking_id: str) -> dict[str, Any] | None:
        booking = self._state.booking(booking_id)
        if booking is None:
            return None
        return booking_view(*self.owner, booking, self._state.answer("booking", booking_id))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClientBookings) and self._state == other._state

    def _change(self, apply: Callable[[BookingsState, Lifecycle], None]) -> list:
        # The draft is a copy through the stored form, paid for every event applied: pydantic's
        # core makes it faster than deepcopy (docs/benchmarks.md).
        draft, out = state.load(state.dump(self._state)), Lifecycle()
        apply(draft, out)
        self._state = draft
        self.events += out.events
        return out.events

    def _check_owner(self, event: Event) -> None:
        given = (event.location_id, event.client_id)
        if given != self.owner:
            raise EventForAnotherClient(self.owner, given)
