"""Every command a service sends to the store is counted by kind, for the round-trip figures of
benchmarks/e2e.py; connection handshakes and pings are not work and are not counted."""

import pytest
from prometheus_client import CollectorRegistry

from shared.wiring import mongo
from shared.wiring.store_metrics import StoreCommands

pytestmark = pytest.mark.integration


def _counts(registry: CollectorRegistry) -> dict[str, float]:
    return {s.labels["command"]: s.value for family in registry.collect() if family.name == "store_commands"
            for s in family.samples if s.name.endswith("_total")}


async def test_each_round_trip_to_the_store_is_counted_by_its_command(servers, db):
    registry = CollectorRegistry()
    client = mongo.connect(servers.mongodb, [StoreCommands(registry)])
    try:
        collection = client[db.name]["things"]
        await collection.insert_one({"_id": "a"})
        await collection.find_one({"_id": "a"})
        await collection.find_one({"_id": "b"})
        await mongo.ping(client)
    finally:
        await client.close()
    counts = _counts(registry)
    assert counts["insert"] == 1 and counts["find"] == 2
    assert "ping" not in counts and "hello" not in counts


async def test_each_round_trip_is_counted_by_the_collection_it_touched(servers, db):
    registry = CollectorRegistry()
    client = mongo.connect(servers.mongodb, [StoreCommands(registry)])
    try:
        await client[db.name]["things"].insert_many([{"_id": n} for n in range(5)])
        await client[db.name]["things"].find({}, batch_size=2).to_list()
        await client[db.name]["others"].find_one({"_id": 1})
    finally:
        await client.close()
    counts = {(s.labels["command"], s.labels["collection"]): s.value for family in registry.collect()
              if family.name == "store_collection_commands" for s in family.samples if s.name.endswith("_total")}
    assert counts[("insert", "things")] == 1 and counts[("find", "things")] == 1
    assert counts[("getMore", "things")] >= 1 and counts[("find", "others")] == 1
