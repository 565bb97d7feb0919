from datetime import date
from zoneinfo import ZoneInfo

import pytest

from tests.unit.credits.factories import (
    NOW,
    at,
    booking_created,
    checkin,
    client_with,
    membership,
    membership_started,
    package,
    package_purchased,
    types_of,
)


def reserve(credits, **booking):
    events = credits.handle(booking_created(**booking), NOW)
    return events[0]


def test_the_package_expiring_first_serves_the_booking():
    credits = client_with(
        package_purchased("late", expires_on=date(2025, 12, 31)),
        package_purchased("early", expires_on=date(2025, 6, 30)),
        package_purchased("never", expires_on=None),
    )

    assert reserve(credits).source == package("early")


def test_a_never_expiring_package_is_used_last():
    credits = client_with(package_purchased("never", expires_on=None), package_purchased("dated"))

    assert reserve(credits).source == package("dated")


def test_equal_expiries_use_the_package_that_started_first():
    credits = client_with(
        package_purchased("b-later", starts_on=date(2025, 3, 2)),
        package_purchased("a-earlier", starts_on=date(2025, 3, 1)),
    )

    assert reserve(credits).source == package("a-earlier")


def test_a_package_not_valid_on_the_session_date_is_skipped():
    credits = client_with(
        package_purchased("ends-march", expires_on=date(2025, 3, 31)),
        package_purchased("starts-may", starts_on=date(2025, 5, 1)),
        package_purchased("all-year"),
    )

    assert reserve(credits, starts_at=at(2025, 4, 10)).source == package("all-year")


def test_the_session_date_is_its_utc_date_whatever_the_offset():
    credits = client_with(package_purchased("ends-march", expires_on=date(2025, 3, 31)), package_purchased("other"))
    starts_at = at(2025, 3, 31, 23).astimezone(ZoneInfo("Europe/Berlin"))

    assert reserve(credits, starts_at=starts_at).source == package("ends-march")


def test_an_exhausted_package_is_skipped():
    credits = client_with(package_purchased("early", credits=1, expires_on=date(2025, 6, 30)),
                          package_purchased("late"), booking_created("bk-0"))

    assert reserve(credits, booking_id="bk-1").source == package("late")


def test_without_a_usable_package_a_membership_serves_the_booking():
    credits = client_with(package_purchased(expires_on=date(2025, 3, 31)), membership_started())

    events = credits.handle(booking_created(starts_at=at(2025, 4, 10)), NOW)

    assert types_of(events) == ["credit.reserved", "membership.period_changed"]
    assert events[0].source == membership()
    assert (events[1].period_key, events[1].used, events[1].max) == (date(2025, 4, 1), 1, 4)


def test_a_membership_not_yet_started_cannot_serve():
    credits = client_with(membership_started(starts_on=date(2025, 5, 1)))

    assert reserve(credits, starts_at=at(2025, 4, 10)).reason == "no_credits"


def test_without_any_package_or_membership_the_booking_is_rejected_for_no_credits():
    rejected = reserve(client_with())

    assert (rejected.type, rejected.reason) == ("credit.rejected", "no_credits")


def test_a_named_membership_is_used_even_when_a_package_has_credits():
    credits = client_with(package_purchased(), membership_started())

    assert reserve(credits, source=membership()).source == membership()


@pytest.mark.parametrize(
    ("source", "starts_at", "reason"),
    [
        (package("missing"), at(2025, 4, 10), "source_not_found"),
        (package("pkg-1"), at(2026, 1, 1), "source_expired"),
        (package("pkg-1"), at(2025, 2, 28), "source_not_started"),
        (package("used-up"), at(2025, 4, 10), "source_exhausted"),
        (membership("missing"), at(2025, 4, 10), "source_not_found"),
        (membership("mem-1"), at(2025, 7, 1), "source_expired"),
        (membership("mem-1"), at(2025, 2, 28), "source_not_started"),
        (membership("none-per-period"), at(2025, 4, 10), "source_exhausted"),
    ],
)
def test_a_named_source_that_cannot_serve_rejects_the_booking(source, starts_at, reason):
    credits = client_with(
        package_purchased(),
        package_purchased("used-up", credits=1),
        checkin(source=package("used-up")),
        membership_started(ends_on=date(2025, 6, 30)),
        membership_started("none-per-period", credits_per_period=0),
    )

    rejected = reserve(credits, starts_at=starts_at, source=source)

    assert (rejected.type, rejected.reason) == ("credit.rejected", reason)
    assert rejected.detail


def test_an_unlimited_membership_never_rejects():
    credits = client_with(membership_started(credits_per_period=None))

    outcomes = {reserve(credits, booking_id=f"bk-{n}", session_id=f"s-{n}").type for n in range(30)}

    assert outcomes == {"credit.reserved"}


def test_a_checkin_draws_from_the_package_valid_on_its_own_date():
    credits = client_with(
        package_purchased("march", expires_on=date(2025, 3, 31)),
        package_purchased("april", starts_on=date(2025, 4, 1)),
    )

    consumed, _ = credits.handle(checkin(when=at(2025, 4, 2)), NOW)

    assert consumed.source == package("april")
