"""A LocationBook against the real store: what another instance stored is learnt, and reading
every location is one round trip however many the shared topic has folded."""

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from shared.contract.locations import LocationRegistered
from shared.wiring import mongo
from shared.wiring.locations import LocationBook
from shared.wiring.store_metrics import StoreCommands
from shared.zones import zone

pytestmark = pytest.mark.integration

T0 = datetime(2026, 6, 30, 9, tzinfo=UTC)


def registered(location_id: str) -> LocationRegistered:
    return LocationRegistered(event_id=f"loc-{location_id}", occurred_at=T0, location_id=location_id,
                              name=location_id.title(), time_zone="Pacific/Kiritimati")


def _on_locations(registry: CollectorRegistry) -> dict[str, float]:
    return {s.labels["command"]: s.value for family in registry.collect() if family.name == "store_collection_commands"
            for s in family.samples if s.name.endswith("_total") and s.labels["collection"] == "locations"}


async def test_a_location_another_instance_stored_a_moment_ago_is_learnt_for_its_first_events(db):
    here, there = LocationBook(db["locations"]), LocationBook(db["locations"])
    await here.refresh()
    await there.apply([registered("east")])

    await here.learn({"east"})

    assert here.zone("east") is zone("Pacific/Kiritimati")


async def test_reading_every_location_is_one_command_with_more_than_a_first_batch_of_them(servers, db):
    await db["locations"].insert_many([{"_id": f"studio-{n}", "name": f"Studio {n}", "time_zone": "UTC"}
                                       for n in range(250)])  # a first batch is 101 by default
    registry = CollectorRegistry()
    client = mongo.connect(servers.mongodb, [StoreCommands(registry)])
    try:
        book = LocationBook(client[db.name]["locations"])
        await book.refresh()
        await book.learn({"unregistered"})
        await book.learn({"unregistered"})
    finally:
        await client.close()

    assert len(book.records()) == 250 and _on_locations(registry) == {"find": 2}
