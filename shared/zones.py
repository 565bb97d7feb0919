"""Time zones as data: IANA names read from the pinned `tzdata` package, and the local days of them.

Every answer comes from `tzdata` (pinned in pyproject.toml), never from the machine's own zone
files, so two machines agree on every day boundary. A location whose zone is not known yet is
judged in UTC (the contract's rule).

Day boundaries follow the TECH-NOTES rule: local midnight is `datetime.combine(day, time.min,
zone)`, and the next day is the next *date*, never 24 hours later (a daylight-saving day has 23
or 25 hours).
"""

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

EARLIEST = timezone(timedelta(hours=14))
"""The zone whose days end first (Pacific/Kiritimati, UTC+14): no local day anywhere has ended
before it ends there."""


@cache
def iana_names() -> frozenset[str]:
    """Every zone name the pinned tzdata knows (canonical names and their links)."""
    text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def is_iana_name(name: str) -> bool:
    return name in iana_names()


@cache
def zone(name: str | None) -> tzinfo:
    """The zone of that IANA name (from tzdata), UTC for None; KeyError for an unknown name."""
    if name is None:
        return UTC
    if not is_iana_name(name):
        raise KeyError(f"not an IANA time zone: {name!r}")
    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as data:
        return ZoneInfo.from_file(data, key=name)


def local_date(instant: datetime, where: tzinfo) -> date:
    return instant.astimezone(where).date()


def start_of_day(day: date, where: tzinfo) -> datetime:
    """The instant `day` begins at local midnight, as UTC.

    With fold=0 (the default) a midnight skipped by a daylight-saving jump (America/Santiago in
    September) reads with the offset before the jump, which is the instant the gap ends: the
    day's first instant; a midnight that happens twice (America/Havana in November) is its first.
    """
    return datetime.combine(day, time.min, where).astimezone(UTC)


def end_of_day(day: date, where: tzinfo) -> datetime:
    """The instant `day` ends: the next day's local midnight (never 24 hours on, across DST)."""
    if day == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return start_of_day(day + timedelta(days=1), where)


def last_day_ended_anywhere(now: datetime) -> date:
    """The latest day that has ended somewhere on Earth at `now` (in the earliest zone)."""
    return now.astimezone(EARLIEST).date() - timedelta(days=1)

