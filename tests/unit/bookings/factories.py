"""Booking facts and credit answers with sensible defaults."""

import itertools
from datetime import datetime, timezone

from shared.contract.bookings import (
    BookingAttended,
    BookingCancelled,
    BookingCreated,
    BookingNoShow,
    CheckinRecorded,
)
from shared.contract.credits import CreditRejected, CreditReserved, PackageChanged
from shared.contract.bookings import CreditSource
from services.bookings.domain.aggregate import ClientBookings

LOCATION = "loc-1"
CLIENT = "client-1"
NOW = datetime(2025, 3, 1, 9, tzinfo=timezone.utc)
SESSION = datetime(2025, 3, 8, 10, tzinfo=timezone.utc)
PACK = CreditSource(kind="package", id="pkg-1")

_numbers = itertools.count(1)


def _envelope(fields: dict) -> dict:
    return {
        "event_id": fields.pop("event_id", f"ev-{next(_numbers)}"),
        "occurred_at": fields.pop("occurred_at", NOW),
        "location_id": fields.pop("location_id", LOCATION),
        "client_id": fields.pop("client_id", CLIENT),
        **fields,
    }


def booking_created(booking_id="b-1", session_id="yoga", session_starts_at=SESSION, **envelope):
    return BookingCreated(**_envelope(envelope), booking_id=booking_id, session_id=session_id,
                          session_name="Morning Yoga", session_starts_at=session_starts_at)


def booking_cancelled(booking_id="b-1", late=False, **envelope):
    return BookingCancelled(**_envelope(envelope), booking_id=booking_id, late=late)


def booking_attended(booking_id="b-1", **envelope):
    return BookingAttended(**_envelope(envelope), booking_id=booking_id)


def booking_no_show(booking_id="b-1", **envelope):
    return BookingNoShow(**_envelope(envelope), booking_id=booking_id)


def checkin(checkin_id="c-1", at=NOW, **envelope):
    return CheckinRecorded(**_envelope(envelope), checkin_id=checkin_id, at=at)


def credit_reserved(booking_id="b-1", **envelope):
    return CreditReserved(**_envelope(envelope), booking_id=booking_id, source=PACK, session_starts_at=SESSION)


def credit_rejected(booking_id="b-1", reason="no_credits", **envelope):
    return CreditRejected(**_envelope(envelope), booking_id=booking_id, reason=reason, detail="nothing left")


def package_changed(**envelope):
    return PackageChanged(**_envelope(envelope), package_id="pkg-1", package_name="12", version=1,
                          credits_purchased=12, credits_adjusted=0, total=12, consumed=0, holds=[],
                          starts_on=NOW.date(), expires_on=None)


def client_with(*facts) -> ClientBookings:
    """A client's bookings after these booking facts and credit answers, in order."""
    bookings = ClientBookings.new(LOCATION, CLIENT)
    for fact in facts:
        (bookings.follow if fact.type.startswith("credit.") else bookings.handle)(fact)
    return bookings


def status(bookings: ClientBookings, booking_id="b-1") -> str:
    return bookings.view(booking_id)["status"]
