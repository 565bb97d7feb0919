from datetime import date

import pytest

from services.credits.domain.errors import (
    InsufficientCredits,
    InvalidAdjustment,
    UnknownMembership,
    UnknownPeriod,
    UnlimitedPeriod,
    ValidityReversed,
)
from tests.unit.credits.factories import (
    NOW,
    STAFF,
    at,
    booking_attended,
    booking_cancelled,
    booking_created,
    client_with,
    membership,
    membership_ended,
    membership_started,
    periods_of,
    types_of,
)


def book(credits, booking_id, starts_at, source=None):
    return credits.handle(booking_created(booking_id, starts_at=starts_at, session_id=booking_id, source=source), NOW)


def adjust(credits, period_start, action="add", amount=2, valid_from=None, valid_to=None, command_id="cmd-1"):
    return credits.adjust_period("mem-1", period_start, action, amount, valid_from, valid_to,
                                 "goodwill", STAFF, command_id, NOW)


def test_a_period_allows_its_credits_and_then_rejects():
    credits = client_with(membership_started(credits_per_period=2))
    book(credits, "a", at(2025, 4, 2))
    book(credits, "b", at(2025, 4, 20))

    [rejected] = book(credits, "c", at(2025, 4, 30))

    assert rejected.reason == "no_credits"
    assert book(credits, "d", at(2025, 5, 1))[0].type == "credit.reserved"


def test_a_periods_usage_counts_booked_and_used_credits_but_not_released_ones():
    credits = client_with(membership_started(credits_per_period=4))
    for booking_id in ("a", "b", "c"):
        book(credits, booking_id, at(2025, 4, 10))
    credits.handle(booking_attended("a"), NOW)
    credits.handle(booking_cancelled("b", late=False), NOW)

    april = periods_of(credits)[-1]

    assert april == {"starts_on": date(2025, 4, 1), "ends_on": date(2025, 4, 30), "used": 2, "max": 4}


def test_the_current_period_is_shown_even_without_usage():
    credits = client_with(membership_started(credits_per_period=4))

    assert periods_of(credits, now=at(2025, 3, 15)) == [
        {"starts_on": date(2025, 3, 1), "ends_on": date(2025, 3, 31), "used": 0, "max": 4}
    ]


def test_adding_two_credits_to_one_period_changes_only_that_periods_max():
    credits = client_with(membership_started(credits_per_period=4))
    book(credits, "may", at(2025, 5, 5))

    [changed] = adjust(credits, date(2025, 4, 1))

    assert (changed.type, changed.period_key, changed.max, changed.version) == (
        "membership.period_changed", date(2025, 4, 1), 6, 1)
    assert [(p["starts_on"], p["max"]) for p in periods_of(credits)] == [
        (date(2025, 3, 1), 4), (date(2025, 4, 1), 6), (date(2025, 5, 1), 4)]


def test_deducting_more_than_a_period_has_left_is_refused_with_the_numbers():
    credits = client_with(membership_started(credits_per_period=2))
    book(credits, "a", at(2025, 4, 2))

    with pytest.raises(InsufficientCredits, match="cannot deduct 2 credit.*only 1 available"):
        adjust(credits, date(2025, 4, 1), action="deduct", amount=2)


def test_an_unlimited_period_cannot_have_its_credits_adjusted():
    credits = client_with(membership_started(credits_per_period=None))

    with pytest.raises(UnlimitedPeriod, match="unlimited"):
        adjust(credits, date(2025, 4, 1))


def test_an_unlimited_period_can_still_be_moved():
    credits = client_with(membership_started(credits_per_period=None))

    [changed] = adjust(credits, date(2025, 4, 1), amount=0, valid_to=date(2025, 5, 3))

    assert (changed.ends_on, changed.max) == (date(2025, 5, 3), None)


def test_only_natural_period_starts_can_be_adjusted():
    credits = client_with(membership_started())

    with pytest.raises(UnknownPeriod):
        adjust(credits, date(2025, 4, 2))
    with pytest.raises(UnknownMembership):
        credits.adjust_period("other", date(2025, 4, 1), "add", 1, None, None, None, STAFF, "cmd-x", NOW)


def test_moving_a_periods_validity_makes_bookings_on_those_days_count_in_it():
    credits = client_with(membership_started(credits_per_period=1))
    [changed] = adjust(credits, date(2025, 4, 1), amount=0, valid_from=date(2025, 3, 25))

    reserved, period = book(credits, "late-march", at(2025, 3, 27))

    assert (changed.period_key, changed.starts_on, changed.ends_on) == (date(2025, 4, 1), date(2025, 3, 25), date(2025, 4, 30))
    assert (period.period_key, period.starts_on, period.used) == (date(2025, 4, 1), date(2025, 3, 25), 1)
    assert book(credits, "early-march", at(2025, 3, 10))[1].period_key == date(2025, 3, 1)


def test_days_a_period_was_moved_away_from_have_no_allowance():
    credits = client_with(membership_started(credits_per_period=1))
    adjust(credits, date(2025, 4, 1), amount=0, valid_from=date(2025, 4, 10))

    [rejected] = book(credits, "b", at(2025, 4, 5), source=membership())

    assert rejected.reason == "source_exhausted"


def test_a_validity_ending_before_it_starts_is_refused_naming_the_end_that_moved():
    credits = client_with(membership_started())

    with pytest.raises(ValidityReversed) as moved_start:
        adjust(credits, date(2025, 4, 1), amount=0, valid_from=date(2025, 5, 10))
    with pytest.raises(ValidityReversed) as moved_end:
        adjust(credits, date(2025, 4, 1), amount=0, valid_to=date(2025, 3, 20), command_id="cmd-2")

    assert (moved_start.value.field, moved_end.value.field) == ("valid_from", "valid_to")


def test_a_period_adjustment_that_changes_nothing_is_refused_naming_credits():
    credits = client_with(membership_started())

    with pytest.raises(InvalidAdjustment) as refused:
        adjust(credits, date(2025, 4, 1), amount=0)

    assert refused.value.field == "credits"


def test_an_ended_membership_has_no_later_periods():
    credits = client_with(membership_started(credits_per_period=4))
    book(credits, "april", at(2025, 4, 10))

    events = credits.handle(membership_ended(ends_on=date(2025, 4, 15)), NOW)

    assert types_of(events) == ["membership.changed", "membership.period_changed"]
    assert (events[0].version, events[0].ends_on) == (2, date(2025, 4, 15))
    assert events[1].ends_on == date(2025, 4, 15)
    assert book(credits, "may", at(2025, 5, 2))[0].reason == "no_credits"
    assert book(credits, "may-named", at(2025, 5, 2), source=membership())[0].reason == "source_expired"
    assert periods_of(credits, now=at(2025, 5, 2))[-1]["ends_on"] == date(2025, 4, 15)
    with pytest.raises(UnknownPeriod):
        adjust(credits, date(2025, 5, 1))


def test_monthly_periods_from_jan_31_follow_the_calendar():
    credits = client_with(membership_started(credits_per_period=1, starts_on=date(2025, 1, 31)))
    for booking_id, day in (("feb", at(2025, 2, 27)), ("mar", at(2025, 3, 30)), ("end", at(2025, 3, 31))):
        book(credits, booking_id, day)

    assert [(p["starts_on"], p["ends_on"]) for p in periods_of(credits)] == [
        (date(2025, 1, 31), date(2025, 2, 27)), (date(2025, 2, 28), date(2025, 3, 30)), (date(2025, 3, 31), date(2025, 4, 29))]


def test_weekly_memberships_reset_every_seven_days():
    credits = client_with(membership_started(period="week", credits_per_period=1, starts_on=date(2025, 3, 5)))
    book(credits, "a", at(2025, 3, 11))

    assert book(credits, "b", at(2025, 3, 11))[0].reason == "no_credits"
    assert book(credits, "c", at(2025, 3, 12))[1].period_key == date(2025, 3, 12)


def test_a_membership_start_is_announced():
    credits = client_with()

    [changed] = credits.handle(membership_started(credits_per_period=None), NOW)

    assert (changed.type, changed.version, changed.credits_per_period, changed.ends_on) == (
        "membership.changed", 1, None, None)
