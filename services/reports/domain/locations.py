"""The locations as a report sees them at one instant: each one's name and its own today.

Names and zones are joined in when a report is read, never copied into its rows: renaming a
location, or learning its zone, is one write to the small `locations` collection, and the next
read shows the new name and judges every date (status, expiry windows, balance movements' days)
in the zone in force. A location not registered yet has no name and is judged in UTC.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from shared.locations import zone_of
from shared.zones import local_date


@dataclass(frozen=True)
class Places:
    records: dict[str, dict]  # location_id -> its folded record (shared.locations)
    now: datetime

    def name(self, location_id: str | None) -> str | None:
        return (self.records.get(location_id) or {}).get("name")

    def zone_name(self, location_id: str) -> str | None:
        return (self.records.get(location_id) or {}).get("time_zone")

    def zone(self, location_id: str) -> tzinfo:
        return zone_of(self.records.get(location_id))

    def today(self, location_id: str) -> date:
        return local_date(self.now, self.zone(location_id))

    @property
    def utc_today(self) -> date:
        """The today of every location whose zone is not known."""
        return self.now.astimezone(UTC).date()

    def known(self) -> list[str]:
        return sorted(self.records)
