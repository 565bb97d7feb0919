"""Instants, and the calendar days of the location they are judged in.

A day is always a day of the location's own zone (`zone`, passed in like the clock: UTC while the
location's zone is not known); the boundaries come from shared.zones.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timezone, tzinfo

from shared import zones


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; instants must be aware")
    return moment.astimezone(timezone.utc)


def local_date(moment: datetime, zone: tzinfo) -> date:
    return zones.local_date(as_utc(moment), zone)


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The instant a local day ends: the next day's local midnight, in UTC."""
    return zones.end_of_day(day, zone)


@dataclass(frozen=True)
class Moment:
    """When a decision is taken, and the zone of the location whose days it judges."""

    now: datetime
    zone: tzinfo = UTC

    @property
    def today(self) -> date:
        return local_date(self.now, self.zone)
