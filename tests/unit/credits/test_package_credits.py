from datetime import date

import pytest

from services.credits.domain.errors import IllegalTransition
from tests.unit.credits.factories import (
    NOW,
    at,
    booking_attended,
    booking_cancelled,
    booking_created,
    booking_no_show,
    checkin,
    client_with,
    package_purchased,
    types_of,
    view_of,
)


def test_a_purchased_package_shows_all_its_credits_available():
    credits = client_with(package_purchased(credits=12))

    assert view_of(credits) == {
        "package_id": "pkg-1", "package_name": "12 classes", "total": 12, "available": 12, "booked": 0,
        "used": 0, "starts_on": date(2025, 3, 1), "expires_on": date(2025, 12, 31), "status": "active",
        "adjustments": [],
    }


def test_the_purchase_announces_the_package_at_version_1():
    credits = client_with()

    [changed] = credits.handle(package_purchased(credits=12), NOW)

    assert (changed.type, changed.version, changed.total, changed.holds) == ("package.changed", 1, 12, [])


def test_booking_a_session_next_month_takes_a_credit_at_once():
    credits = client_with(package_purchased(credits=12), booking_created(starts_at=at(2025, 4, 10)))

    view = view_of(credits)
    assert (view["available"], view["booked"], view["used"]) == (11, 1, 0)


def test_a_reservation_is_announced_with_the_package_snapshot():
    credits = client_with(package_purchased(credits=12))

    reserved, changed = credits.handle(booking_created(starts_at=at(2025, 4, 10)), NOW)

    assert (reserved.type, reserved.booking_id, reserved.source.id) == ("credit.reserved", "bk-1", "pkg-1")
    assert (changed.version, [h.booking_id for h in changed.holds], changed.consumed) == (2, ["bk-1"], 0)


def test_cancelling_without_penalty_returns_the_credit():
    credits = client_with(package_purchased(credits=12), booking_created())

    events = credits.handle(booking_cancelled(late=False), NOW)

    assert types_of(events) == ["credit.released", "package.changed"]
    assert events[1].holds == []
    view = view_of(credits)
    assert (view["available"], view["booked"], view["used"]) == (12, 0, 0)


@pytest.mark.parametrize(
    ("closing", "cause"),
    [(booking_cancelled(late=True), "late_cancel"), (booking_attended(), "attended"), (booking_no_show(), "no_show")],
)
def test_late_cancel_attendance_and_no_show_use_the_credit(closing, cause):
    credits = client_with(package_purchased(credits=12), booking_created())

    consumed, changed = credits.handle(closing, NOW)

    assert (consumed.type, consumed.cause) == ("credit.consumed", cause)
    assert (changed.consumed, changed.holds) == (1, [])
    view = view_of(credits)
    assert (view["available"], view["booked"], view["used"]) == (11, 0, 1)


def test_a_general_checkin_uses_a_credit_at_once():
    credits = client_with(package_purchased(credits=12))

    consumed, changed = credits.handle(checkin(when=at(2025, 3, 5)), NOW)

    assert (consumed.checkin_id, consumed.booking_id, consumed.cause) == ("ci-1", None, "checkin")
    assert changed.consumed == 1
    view = view_of(credits)
    assert (view["available"], view["booked"], view["used"]) == (11, 0, 1)


def test_a_booked_credit_counts_as_used_once_its_session_has_started():
    credits = client_with(package_purchased(credits=12), booking_created(starts_at=at(2025, 4, 10, 18)))

    before = view_of(credits, now=at(2025, 4, 10, 17))
    after = view_of(credits, now=at(2025, 4, 10, 18))

    assert (before["booked"], before["used"]) == (1, 0)
    assert (after["booked"], after["used"], after["available"]) == (0, 1, 11)


def test_the_last_credit_goes_to_the_first_booking_and_the_second_is_rejected():
    credits = client_with(package_purchased(credits=1), booking_created("bk-1"))

    [rejected] = credits.handle(booking_created("bk-2", session_id="yoga-2"), NOW)

    assert (rejected.type, rejected.booking_id, rejected.reason) == ("credit.rejected", "bk-2", "no_credits")
    assert view_of(credits)["available"] == 0


def test_a_checkin_without_any_credit_is_rejected_with_its_checkin_id():
    credits = client_with()

    [rejected] = credits.handle(checkin(), NOW)

    assert (rejected.checkin_id, rejected.booking_id, rejected.reason) == ("ci-1", None, "no_credits")


@pytest.mark.parametrize("closing", [booking_cancelled(), booking_attended(), booking_no_show()])
def test_a_rejected_booking_cannot_be_cancelled_attended_or_missed(closing):
    credits = client_with(booking_created())

    with pytest.raises(IllegalTransition, match="rejected"):
        credits.handle(closing, NOW)


def test_a_package_past_its_last_day_reads_as_expired():
    credits = client_with(package_purchased(expires_on=date(2025, 3, 31)))

    assert view_of(credits, now=at(2025, 3, 31, 23))["status"] == "active"
    assert view_of(credits, now=at(2025, 4, 1, 0))["status"] == "expired"
