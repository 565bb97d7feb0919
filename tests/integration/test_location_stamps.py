"""Location records stamped before event ids were kept, once migrated, fold as they did (real FerretDB)."""

from datetime import UTC, datetime, timedelta

import pytest

from shared.contract.locations import LocationUpdated
from shared.migrations import location_stamps
from shared.wiring.locations import LocationBook

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def stamped_before_event_ids(location_id: str = "studio-1") -> dict:
    return {"_id": location_id, "location_id": location_id, "name": "Downtown", "time_zone": "UTC",
            "currency": None, "stamps": {"name": T0.isoformat(), "time_zone": T0.isoformat()}}


def renamed(at: datetime, name: str) -> LocationUpdated:
    return LocationUpdated(event_id=f"e-{at.timestamp()}", occurred_at=at, location_id="studio-1", name=name)


async def test_a_record_stamped_before_event_ids_takes_the_same_events_once_migrated(db):
    await db["locations"].insert_one(stamped_before_event_ids())
    book = LocationBook(db["locations"])

    assert await location_stamps.migrate(db) == 1
    await book.apply([renamed(T0, "Midtown")])  # the same instant: any event id is newer than none
    await book.apply([renamed(T0 - timedelta(seconds=1), "Old")])

    assert (book.record("studio-1")["name"], book.record("studio-1")["time_zone"]) == ("Midtown", "UTC")
    assert (await db["locations"].find_one({"_id": "studio-1"}))["stamps"]["time_zone"] == [T0.isoformat(), ""]


async def test_every_reports_generation_is_restamped_and_a_second_run_changes_nothing(db):
    await db["locations"].insert_one(stamped_before_event_ids())
    await db["locations_g2"].insert_many([stamped_before_event_ids("a"), stamped_before_event_ids("b")])
    await db["clients"].insert_one({"_id": "x", "stamps": {"email": T0.isoformat()}})  # not a location

    assert await location_stamps.migrate(db) == 3
    assert await location_stamps.migrate(db) == 0
    assert (await db["clients"].find_one({"_id": "x"}))["stamps"] == {"email": T0.isoformat()}
