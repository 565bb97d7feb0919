"""Staff requests turned into the booking facts the service publishes on the platform topic.

Ids come from the request's command id, so a retried request publishes the same fact again
(an exact redelivery) instead of a second booking.
"""

from datetime import datetime
from typing import Literal

from shared.contract.bookings import BookingAttended, BookingCancelled, BookingCreated, BookingNoShow
from shared.contract.staff_api import BookingRequest
from shared.fingerprints import stable_id

Move = Literal["cancel", "attend", "no-show"]


def booking_id_for(command_id: str) -> str:
    return stable_id("bk", command_id)


def booking_requested(location_id: str, request: BookingRequest, command_id: str, now: datetime) -> BookingCreated:
    return BookingCreated(event_id=stable_id("staff", command_id), occurred_at=now, location_id=location_id,
                          booking_id=booking_id_for(command_id), **request.model_dump())


def move_requested(move: Move, location_id: str, client_id: str, booking_id: str, command_id: str,
                   now: datetime, late: bool = False) -> BookingCancelled | BookingAttended | BookingNoShow:
    envelope = {"event_id": stable_id("staff", command_id), "occurred_at": now, "location_id": location_id,
                "client_id": client_id, "booking_id": booking_id}
    if move == "cancel":
        return BookingCancelled(**envelope, late=late)
    return BookingAttended(**envelope) if move == "attend" else BookingNoShow(**envelope)
