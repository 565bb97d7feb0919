"""Natural membership periods: from `starts_on` in steps of a week or a calendar month.

One definition for the credits service (which decides) and the reports (which show the period
running today before anything touched it).

Monthly steps are always counted from `starts_on` (Jan 31 → Feb 28 → Mar 31), never chained.
"""

from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

PeriodLength = Literal["week", "month"]


def nth_start(starts_on: date, length: PeriodLength, n: int) -> date:
    if length == "week":
        return starts_on + timedelta(weeks=n)
    return starts_on + relativedelta(months=n)


def index_containing(starts_on: date, length: PeriodLength, day: date) -> int:
    """The number of the period holding `day` (which is on or after `starts_on`)."""
    if length == "week":
        return (day - starts_on).days // 7
    n = (day.year - starts_on.year) * 12 + day.month - starts_on.month
    return n if nth_start(starts_on, length, n) <= day else n - 1


def start_containing(starts_on: date, length: PeriodLength, day: date) -> date:
    return nth_start(starts_on, length, index_containing(starts_on, length, day))


def is_natural_start(starts_on: date, length: PeriodLength, day: date) -> bool:
    return day >= starts_on and start_containing(starts_on, length, day) == day


def natural_end(starts_on: date, length: PeriodLength, period_start: date, ends_on: date | None) -> date:
    """The day before the next period starts, capped at the membership's last day."""
    n = index_containing(starts_on, length, period_start)
    end = nth_start(starts_on, length, n + 1) - timedelta(days=1)
    return min(end, ends_on) if ends_on is not None else end
