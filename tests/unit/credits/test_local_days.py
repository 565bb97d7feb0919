"""Every credits rule judges days in the location's zone: far from UTC and across daylight saving."""

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.zones import zone
from tests.unit.credits import factories as f

KIRITIMATI, GMT_MINUS_12 = zone("Pacific/Kiritimati"), zone("Etc/GMT+12")
NEW_YORK, LONDON = zone("America/New_York"), zone("Europe/London")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def client_in(where, *events, now=f.NOW):
    credits = f.ClientCredits.new(f.LOCATION, f.CLIENT)
    for event in events:
        credits.handle(event, now, where)
    return credits


def booked(credits, where, starts_at, booking_id="bk-1", now=f.NOW):
    return f.types_of(credits.handle(f.booking_created(booking_id, starts_at=starts_at), now, where))


def entries(events):
    return [e for e in events if e.type == "account.entry_recorded"]


# package validity: the session's local date


def test_a_pack_expiring_today_serves_a_late_evening_session_in_los_angeles():
    la = zone("America/Los_Angeles")
    credits = client_in(la, f.package_purchased(expires_on=date(2025, 12, 1), starts_on=date(2025, 11, 1)))

    # 22:30 on 1 December in Los Angeles is 06:30 UTC on 2 December.
    assert booked(credits, la, utc("2025-12-01T22:30:00-08:00")) == ["credit.reserved", "package.changed"]


def test_the_same_session_is_refused_where_the_zone_is_still_unknown():
    credits = client_in(UTC, f.package_purchased(expires_on=date(2025, 12, 1), starts_on=date(2025, 11, 1)))

    assert booked(credits, UTC, utc("2025-12-01T22:30:00-08:00")) == ["credit.rejected"]


def test_a_session_early_in_kiritimati_is_on_its_local_day_though_utc_is_still_the_day_before():
    credits = client_in(KIRITIMATI, f.package_purchased(starts_on=date(2025, 6, 2), expires_on=date(2025, 6, 30)))

    # 08:00 on 2 June at UTC+14 is 18:00 UTC on 1 June: before the pack starts in UTC, on its first day locally.
    assert booked(credits, KIRITIMATI, utc("2025-06-02T08:00:00+14:00")) == ["credit.reserved", "package.changed"]


def test_a_session_late_at_utc_minus_12_still_counts_on_the_packs_last_day():
    credits = client_in(GMT_MINUS_12, f.package_purchased(starts_on=date(2025, 6, 1), expires_on=date(2025, 6, 30)))

    assert booked(credits, GMT_MINUS_12, utc("2025-06-30T23:00:00-12:00")) == ["credit.reserved", "package.changed"]
    assert booked(credits, GMT_MINUS_12, utc("2025-07-01T00:30:00-12:00"), "bk-2") == ["credit.rejected"]


def test_a_named_pack_is_expired_from_its_first_local_minute_after_the_last_day():
    credits = client_in(NEW_YORK, f.package_purchased(starts_on=date(2025, 1, 1), expires_on=date(2025, 3, 8)))
    event = f.booking_created("bk-9", starts_at=utc("2025-03-09T00:00:00-05:00"), source=f.package())

    [rejected] = credits.handle(event, f.NOW, NEW_YORK)

    assert (rejected.type, rejected.reason) == ("credit.rejected", "source_expired")


# account credit lots: the end of their local day


def test_credit_expires_at_the_end_of_its_local_day_and_the_entry_is_dated_then():
    credits = client_in(KIRITIMATI, f.transaction("tx-1", "credit", 2000, credit_expires_on=date(2025, 6, 30)))
    end = utc("2025-07-01T00:00:00+14:00")  # 10:00 UTC on 30 June

    assert credits.next_credit_expiry(KIRITIMATI) == end
    assert credits.expire_credit(end - timedelta(seconds=1), KIRITIMATI) == []
    [expired] = entries(credits.expire_credit(end + timedelta(hours=1), KIRITIMATI))
    assert (expired.entry_type, expired.amount_minor, expired.at) == ("Credit Expired", -2000, end)


def test_credit_at_utc_minus_12_lasts_twelve_hours_past_the_utc_day():
    credits = client_in(GMT_MINUS_12, f.transaction("tx-1", "credit", 2000, credit_expires_on=date(2025, 6, 30)))

    assert credits.next_credit_expiry(GMT_MINUS_12) == utc("2025-07-01T12:00:00+00:00")
    assert credits.expire_credit(utc("2025-07-01T11:59:00+00:00"), GMT_MINUS_12) == []


@pytest.mark.parametrize("where, last_day, ends", [
    (NEW_YORK, date(2025, 3, 9), "2025-03-10T00:00:00-04:00"),  # spring forward: a 23-hour day
    (NEW_YORK, date(2025, 11, 2), "2025-11-03T00:00:00-05:00"),  # fall back: a 25-hour day
    (LONDON, date(2025, 3, 30), "2025-03-31T00:00:00+01:00"),
    (LONDON, date(2025, 10, 26), "2025-10-27T00:00:00+00:00"),
], ids=["new-york-march", "new-york-november", "london-march", "london-october"])
def test_credit_expiring_on_a_daylight_saving_day_ends_at_the_next_local_midnight(where, last_day, ends):
    credits = client_in(where, f.transaction("tx-1", "credit", 2000, credit_expires_on=last_day))

    [expired] = entries(credits.expire_credit(utc(ends) + timedelta(minutes=1), where))

    assert expired.at == utc(ends)
    assert credits.balance()["balance_minor"] == 0


def test_a_charge_after_the_local_end_of_day_cannot_use_the_expired_credit():
    credits = client_in(NEW_YORK, f.transaction("tx-1", "credit", 2000, credit_expires_on=date(2025, 3, 9)))
    charge = f.transaction("tx-2", "charge", -500, occurred_at=utc("2025-03-10T00:30:00-04:00"))

    events = entries(credits.handle(charge, utc("2025-03-10T01:00:00-04:00"), NEW_YORK))

    assert [(e.entry_type, e.amount_minor) for e in events] == [("Credit Expired", -2000), ("Charge", -500)]
    assert credits.balance()["balance_minor"] == -500


def test_the_zone_in_force_decides_when_stored_credit_expires():
    credits = client_in(UTC, f.transaction("tx-1", "credit", 2000, credit_expires_on=date(2025, 6, 30)))
    late_evening_in_utc = utc("2025-06-30T20:00:00+00:00")

    assert credits.expire_credit(late_evening_in_utc, UTC) == []
    # The location's zone arrives: Kiritimati's 30 June ended at 10:00 UTC; the stored date stays a date.
    [expired] = entries(credits.expire_credit(late_evening_in_utc, KIRITIMATI))
    assert expired.at == utc("2025-07-01T00:00:00+14:00")
    assert credits.next_credit_expiry_day() is None


# membership periods: from local midnight, a booking in the period of its local date


def test_a_late_evening_booking_on_the_last_day_counts_in_that_month_locally():
    la = zone("America/Los_Angeles")
    credits = client_in(la, f.membership_started(credits_per_period=1, starts_on=date(2025, 1, 1)))

    booked(credits, la, utc("2025-01-31T22:30:00-08:00"))

    periods = f.periods_of(credits, now=f.at(2025, 1, 20))
    assert [(p["starts_on"], p["used"]) for p in periods if p["used"]] == [(date(2025, 1, 1), 1)]


def test_a_monthly_period_starting_on_a_daylight_saving_day_begins_at_its_local_midnight():
    credits = client_in(NEW_YORK, f.membership_started(credits_per_period=1, starts_on=date(2025, 2, 9)))

    # The March period starts on 9 March, the day clocks spring forward: 00:00 local is 05:00 UTC.
    booked(credits, NEW_YORK, utc("2025-03-08T23:59:00-05:00"), "bk-feb")
    booked(credits, NEW_YORK, utc("2025-03-09T00:00:00-05:00"), "bk-mar")

    used = {p["starts_on"]: p["used"] for p in f.periods_of(credits, now=f.at(2025, 3, 1))}
    assert (used[date(2025, 2, 9)], used[date(2025, 3, 9)]) == (1, 1)


def test_the_next_period_starts_at_local_midnight_in_london_after_the_clocks_go_back():
    credits = client_in(LONDON, f.membership_started(credits_per_period=1, starts_on=date(2025, 9, 26)))

    assert booked(credits, LONDON, utc("2025-10-26T00:30:00+01:00"), "bk-1") == ["credit.reserved",
                                                                                 "membership.period_changed"]
    # 23:30 UTC on 25 October is already 26 October in London: the same period, now used up.
    assert booked(credits, LONDON, utc("2025-10-25T23:30:00+00:00"), "bk-2") == ["credit.rejected"]


# what staff see: today is the location's


def test_a_pack_shows_expired_once_its_last_local_day_is_over():
    credits = client_in(KIRITIMATI, f.package_purchased(starts_on=date(2025, 6, 1), expires_on=date(2025, 6, 30)))
    noon_utc = utc("2025-06-30T12:00:00+00:00")  # 02:00 on 1 July at UTC+14

    assert credits.package_view("pkg-1", noon_utc, UTC)["status"] == "active"
    assert credits.package_view("pkg-1", noon_utc, KIRITIMATI)["status"] == "expired"


def test_the_period_running_today_is_the_one_of_the_local_date():
    credits = client_in(GMT_MINUS_12, f.membership_started(starts_on=date(2025, 1, 1), period="week"))
    eighth_in_utc = utc("2025-01-08T06:00:00+00:00")  # still 7 January at UTC-12

    [membership] = credits.membership_views(eighth_in_utc, GMT_MINUS_12)
    [period] = membership["periods"]
    assert period["starts_on"] == date(2025, 1, 1)
