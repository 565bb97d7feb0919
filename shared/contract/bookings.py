"""`studio.bookings.v1`: booking facts from the platform's scheduling and the staff API."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contract.envelope import Event
from shared.contract.types import Identifier, Instant, ShortText


class CreditSource(BaseModel):
    """Names the package or membership a booking must draw from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["package", "membership"]
    id: Identifier


class BookingCreated(Event):
    type: Literal["booking.created"] = "booking.created"
    booking_id: Identifier
    session_id: Identifier
    session_name: ShortText
    session_starts_at: Instant
    credit_source: CreditSource | None = None


class BookingCancelled(Event):
    type: Literal["booking.cancelled"] = "booking.cancelled"
    booking_id: Identifier
    late: bool


class BookingAttended(Event):
    type: Literal["booking.attended"] = "booking.attended"
    booking_id: Identifier


class BookingNoShow(Event):
    type: Literal["booking.no_show"] = "booking.no_show"
    booking_id: Identifier


class CheckinRecorded(Event):
    type: Literal["checkin.recorded"] = "checkin.recorded"
    checkin_id: Identifier
    at: Instant
    credit_source: CreditSource | None = None


BookingEvent = Annotated[
    BookingCreated | BookingCancelled | BookingAttended | BookingNoShow | CheckinRecorded,
    Field(discriminator="type"),
]
