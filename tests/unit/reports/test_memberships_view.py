from datetime import UTC, date, datetime

from services.reports.domain.credits import membership_row, memberships_view
from shared.contract.credits import MembershipChanged

TODAY = date(2026, 11, 23)


def membership(membership_id="mem-1", **fields) -> dict:
    event = MembershipChanged(
        event_id="e-1", occurred_at=datetime(2026, 11, 1, tzinfo=UTC), location_id="l-1", client_id="c-1",
        membership_id=membership_id, membership_name="8 a month", version=1,
        **{"period": "month", "credits_per_period": 8, "starts_on": date(2026, 10, 5), "ends_on": None, **fields},
    )
    return membership_row(event)


def period(key: str, starts_on: str | None = None, ends_on: str = "2026-10-04", used: int = 1, max_: int | None = 8,
           membership_id: str = "mem-1") -> dict:
    return {"membership_id": membership_id, "membership_name": "8 a month", "period_key": key,
            "starts_on": starts_on or key, "ends_on": ends_on, "used": used, "max": max_}


def periods_of(view: list[dict]) -> list[tuple]:
    return [(p["starts_on"], p["ends_on"], p["used"], p["max"]) for m in view for p in m["periods"]]


def test_a_membership_sold_but_never_booked_shows_the_period_running_today_as_zero_of_max():
    view = memberships_view([], [membership()], TODAY)

    assert view == [{"membership_id": "mem-1", "membership_name": "8 a month", "periods": [
        {"starts_on": "2026-11-05", "ends_on": "2026-12-04", "used": 0, "max": 8, "period_key": "2026-11-05",
         "adjustments": []}]}]


def test_an_unlimited_membership_shows_a_null_max():
    assert periods_of(memberships_view([], [membership(credits_per_period=None, period="week")], TODAY)) == [
        ("2026-11-23", "2026-11-29", 0, None)]


def test_a_period_already_reported_is_shown_as_reported_and_not_twice():
    booked = period("2026-11-05", ends_on="2026-12-04", used=3)

    assert periods_of(memberships_view([booked], [membership()], TODAY)) == [("2026-11-05", "2026-12-04", 3, 8)]


def test_earlier_periods_with_usage_come_first_then_the_running_one():
    october = period("2026-10-05", ends_on="2026-11-04", used=2)

    assert periods_of(memberships_view([october], [membership()], TODAY)) == [
        ("2026-10-05", "2026-11-04", 2, 8), ("2026-11-05", "2026-12-04", 0, 8)]


def test_a_period_moved_by_staff_to_cover_today_is_the_running_one():
    moved = period("2026-10-05", starts_on="2026-10-05", ends_on="2026-11-30", used=1)

    assert periods_of(memberships_view([moved], [membership()], TODAY)) == [("2026-10-05", "2026-11-30", 1, 8)]


def test_today_belongs_to_no_period_when_staff_moved_its_natural_period_away():
    moved_away = period("2026-11-05", starts_on="2026-11-25", ends_on="2026-12-04", used=0)

    assert periods_of(memberships_view([moved_away], [membership()], TODAY)) == [("2026-11-25", "2026-12-04", 0, 8)]


def test_a_membership_that_has_not_started_or_has_ended_has_no_running_period():
    future = membership(starts_on=date(2026, 12, 1))
    ended = membership("mem-2", ends_on=date(2026, 11, 10))

    view = memberships_view([], [future, ended], TODAY)

    assert [(m["membership_id"], m["periods"]) for m in view] == [("mem-1", []), ("mem-2", [])]


def test_periods_after_the_membership_ended_are_dropped():
    late = period("2026-12-05", ends_on="2027-01-04", used=1)

    assert periods_of(memberships_view([late], [membership(ends_on=date(2026, 11, 20))], TODAY)) == []


def test_period_rows_of_a_membership_not_yet_known_are_still_shown():
    booked = period("2026-11-05", ends_on="2026-12-04", used=1)

    assert periods_of(memberships_view([booked], [], TODAY)) == [("2026-11-05", "2026-12-04", 1, 8)]
