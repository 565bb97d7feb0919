"""Inbound events with sensible defaults, and a client built from them."""

import itertools
from datetime import date, datetime, timezone

from shared.contract.bookings import (
    BookingAttended,
    BookingCancelled,
    BookingCreated,
    BookingNoShow,
    CheckinRecorded,
    CreditSource,
)
from shared.contract.sales import AccountTransaction, MembershipEnded, MembershipStarted, PackagePurchased
from services.credits.domain.aggregate import ClientCredits

LOCATION = "loc-1"
CLIENT = "client-1"
STAFF = "staff-7"

_numbers = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


NOW = at(2025, 3, 1, 9)


def _envelope(fields: dict) -> dict:
    return {
        "event_id": fields.pop("event_id", f"ev-{next(_numbers)}"),
        "occurred_at": fields.pop("occurred_at", NOW),
        "location_id": fields.pop("location_id", LOCATION),
        "client_id": fields.pop("client_id", CLIENT),
        **fields,
    }


def package_purchased(package_id="pkg-1", credits=12, starts_on=date(2025, 3, 1),
                      expires_on=date(2025, 12, 31), package_name="12 classes", **envelope):
    return PackagePurchased(**_envelope(envelope), package_id=package_id, package_name=package_name,
                            credits=credits, starts_on=starts_on, expires_on=expires_on)


def membership_started(membership_id="mem-1", period="month", credits_per_period=4,
                       starts_on=date(2025, 3, 1), ends_on=None, membership_name="Monthly", **envelope):
    return MembershipStarted(**_envelope(envelope), membership_id=membership_id, membership_name=membership_name,
                             period=period, credits_per_period=credits_per_period,
                             starts_on=starts_on, ends_on=ends_on)


def membership_ended(membership_id="mem-1", ends_on=date(2025, 4, 15), **envelope):
    return MembershipEnded(**_envelope(envelope), membership_id=membership_id, ends_on=ends_on)


def transaction(transaction_id, kind, amount_minor, currency="EUR", credit_expires_on=None, note=None, **envelope):
    return AccountTransaction(**_envelope(envelope), transaction_id=transaction_id, kind=kind,
                              amount_minor=amount_minor, currency=currency, note=note,
                              credit_expires_on=credit_expires_on)


def booking_created(booking_id="bk-1", starts_at=at(2025, 4, 10), source=None, session_id="yoga-1",
                    session_name="Yoga", **envelope):
    return BookingCreated(**_envelope(envelope), booking_id=booking_id, session_id=session_id,
                          session_name=session_name, session_starts_at=starts_at, credit_source=source)


def booking_cancelled(booking_id="bk-1", late=False, **envelope):
    return BookingCancelled(**_envelope(envelope), booking_id=booking_id, late=late)


def booking_attended(booking_id="bk-1", **envelope):
    return BookingAttended(**_envelope(envelope), booking_id=booking_id)


def booking_no_show(booking_id="bk-1", **envelope):
    return BookingNoShow(**_envelope(envelope), booking_id=booking_id)


def checkin(checkin_id="ci-1", when=at(2025, 3, 5), source=None, **envelope):
    return CheckinRecorded(**_envelope(envelope), checkin_id=checkin_id, at=when, credit_source=source)


def package(package_id="pkg-1") -> CreditSource:
    return CreditSource(kind="package", id=package_id)


def membership(membership_id="mem-1") -> CreditSource:
    return CreditSource(kind="membership", id=membership_id)


def client_with(*events, now=NOW) -> ClientCredits:
    credits = ClientCredits.new(LOCATION, CLIENT)
    for event in events:
        credits.handle(event, now)
    return credits


def types_of(events) -> list[str]:
    return [e.type for e in events]


def view_of(credits: ClientCredits, package_id="pkg-1", now=NOW) -> dict:
    return next(v for v in credits.package_views(now) if v["package_id"] == package_id)


def periods_of(credits: ClientCredits, membership_id="mem-1", now=NOW) -> list[dict]:
    return next(v for v in credits.membership_views(now) if v["membership_id"] == membership_id)["periods"]
