"""Every command a service sends to the store is counted by kind, for the round-trip figures of
benchmarks/e2e.py; connection handshakes and pings are not work and are not counted."""

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from shared.wiring import mongo
from shared.wiring.store_metrics import CountedAsApi, StoreCommands

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
    counts = _by_collection(registry, "command", "collection")
    assert counts[("insert", "things")] == 1 and counts[("find", "things")] == 1
    assert counts[("getMore", "things")] >= 1 and counts[("find", "others")] == 1


def _by_collection(registry: CollectorRegistry, *labels: str) -> dict[tuple, float]:
    counts: dict[tuple, float] = {}
    for family in registry.collect():
        for s in family.samples:
            if family.name == "store_collection_commands" and s.name.endswith("_total"):
                key = tuple(s.labels[label] for label in labels)
                counts[key] = counts.get(key, 0) + s.value
    return counts


async def test_a_command_sent_while_serving_a_request_counts_as_api_and_one_from_a_plain_task_as_events(servers, db):
    registry = CollectorRegistry()
    client = mongo.connect(servers.mongodb, [StoreCommands(registry)])
    things = client[db.name]["things"]
    app = FastAPI()
    app.add_middleware(CountedAsApi)

    @app.get("/thing")
    async def read() -> dict:
        await things.find_one({"_id": "a"})
        await asyncio.create_task(things.find_one({"_id": "b"}))  # work a request starts is the request's
        return {}

    try:
        await asyncio.create_task(things.insert_one({"_id": "a"}))  # as a consumer or a background job
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as http:
            assert (await http.get("/thing")).status_code == 200
        await things.delete_one({"_id": "a"})  # the request is over: its mark does not linger
    finally:
        await client.close()
    assert _by_collection(registry, "command", "origin") == {("insert", "events"): 1, ("find", "api"): 2,
                                                             ("delete", "events"): 1}
