from datetime import date

import pytest

from services.credits.domain import periods


@pytest.mark.parametrize(
    ("n", "start"), [(0, date(2025, 1, 31)), (1, date(2025, 2, 28)), (2, date(2025, 3, 31)), (3, date(2025, 4, 30))]
)
def test_monthly_periods_from_jan_31_always_count_from_the_first_start(n, start):
    assert periods.nth_start(date(2025, 1, 31), "month", n) == start


@pytest.mark.parametrize(
    ("day", "start"),
    [(date(2025, 2, 27), date(2025, 1, 31)), (date(2025, 2, 28), date(2025, 2, 28)), (date(2025, 3, 30), date(2025, 2, 28)),
     (date(2025, 3, 31), date(2025, 3, 31))],
)
def test_a_day_falls_in_the_monthly_period_that_started_last(day, start):
    assert periods.start_containing(date(2025, 1, 31), "month", day) == start


def test_a_period_ends_the_day_before_the_next_starts():
    assert periods.natural_end(date(2025, 1, 31), "month", date(2025, 1, 31), None) == date(2025, 2, 27)
    assert periods.natural_end(date(2025, 1, 31), "month", date(2025, 2, 28), None) == date(2025, 3, 30)


def test_the_last_period_is_cut_at_the_membership_end():
    assert periods.natural_end(date(2025, 1, 31), "month", date(2025, 2, 28), date(2025, 3, 10)) == date(2025, 3, 10)


def test_weekly_periods_run_seven_days_from_the_start():
    assert periods.start_containing(date(2025, 3, 5), "week", date(2025, 3, 18)) == date(2025, 3, 12)
    assert periods.natural_end(date(2025, 3, 5), "week", date(2025, 3, 12), None) == date(2025, 3, 18)


def test_only_the_natural_starts_are_period_starts():
    assert periods.is_natural_start(date(2025, 1, 31), "month", date(2025, 2, 28))
    assert not periods.is_natural_start(date(2025, 1, 31), "month", date(2025, 3, 1))
    assert not periods.is_natural_start(date(2025, 1, 31), "month", date(2025, 1, 30))
