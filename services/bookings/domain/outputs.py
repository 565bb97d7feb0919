"""The accepted facts handed on to the lifecycle topic: the inbound event unchanged in shape,
under an id derived from its cause, so a retry or a replay repeats the same ids."""

from typing import Any

from pydantic import TypeAdapter

from shared.contract.bookings import BookingEvent
from shared.fingerprints import stable_id

_BOOKING_EVENTS = TypeAdapter(BookingEvent)


def lifecycle_form(event: Any) -> Any:
    new_id = stable_id("lc", event.location_id, event.client_id, event.event_id)
    return event.model_copy(update={"event_id": new_id})


class Lifecycle:
    """The lifecycle events one call decides, in order."""

    def __init__(self) -> None:
        self.events: list = []

    def forward(self, event: Any) -> None:
        self.events.append(lifecycle_form(event))

    def hold(self, event: Any) -> dict[str, Any]:
        """The lifecycle form of `event`, kept in the state instead of published now."""
        return lifecycle_form(event).model_dump(mode="json")

    def release(self, held: dict[str, Any]) -> None:
        self.events.append(_BOOKING_EVENTS.validate_python(held))
