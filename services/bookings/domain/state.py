"""Everything the bookings service knows of one client at one location, and its stored form.

Credit answers are kept apart from the bookings they answer, so an answer that arrives before
its booking is simply waiting there: the status is derived from both whenever it is read.
The stored form is JSON-shaped (instants as RFC 3339 strings, lists of sub-documents).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import TypeAdapter

from shared.contract.bookings import CreditSource

Outcome = Literal["cancelled", "late_cancelled", "attended", "no_show"]
SubjectKind = Literal["booking", "checkin"]


@dataclass
class Closing:
    """The one transition that ends a booking; `held` is its lifecycle event while the credits
    service has not answered the booking yet."""

    event_id: str
    outcome: Outcome
    held: dict[str, Any] | None = None


@dataclass
class Booking:
    booking_id: str
    fingerprint: str
    session_id: str
    session_name: str
    session_starts_at: datetime
    credit_source: CreditSource | None = None
    closing: Closing | None = None


@dataclass
class Checkin:
    checkin_id: str
    fingerprint: str
    at: datetime
    credit_source: CreditSource | None = None


@dataclass
class CreditAnswer:
    kind: SubjectKind
    subject_id: str
    outcome: Literal["reserved", "rejected"]
    event_id: str
    reason: str | None = None
    detail: str | None = None


@dataclass
class BookingsState:
    location_id: str
    client_id: str
    bookings: list[Booking] = field(default_factory=list)
    checkins: list[Checkin] = field(default_factory=list)
    answers: list[CreditAnswer] = field(default_factory=list)

    def booking(self, booking_id: str) -> Booking | None:
        return next((b for b in self.bookings if b.booking_id == booking_id), None)

    def checkin(self, checkin_id: str) -> Checkin | None:
        return next((c for c in self.checkins if c.checkin_id == checkin_id), None)

    def answer(self, kind: SubjectKind, subject_id: str) -> CreditAnswer | None:
        return next((a for a in self.answers if a.kind == kind and a.subject_id == subject_id), None)


_DOCUMENT = TypeAdapter(BookingsState)


def dump(state: BookingsState) -> dict[str, Any]:
    return _DOCUMENT.dump_python(state, mode="json")


def load(document: dict[str, Any]) -> BookingsState:
    """Fields the store adds (`_id`, version, outbox...) are ignored."""
    return _DOCUMENT.validate_python(document)
