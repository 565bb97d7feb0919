"""Instants and calendar days, always judged in UTC."""

from datetime import date, datetime, time, timedelta, timezone


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; instants must be aware")
    return moment.astimezone(timezone.utc)


def utc_date(moment: datetime) -> date:
    return as_utc(moment).date()


def end_of_day(day: date) -> datetime:
    """The instant a day ends: the next day's 00:00Z."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.utc)
