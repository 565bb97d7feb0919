"""How the reports write a client's profile: at a revision, from the profile the writer remembers."""

from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry

from services.reports.adapters.store import ReportsStore
from shared.contract.clients import ClientUpdated
from shared.wiring import mongo
from shared.wiring.store_metrics import StoreCommands
from tests.integration.test_reports_store import T0, apply, entry, registered

pytestmark = pytest.mark.integration


def emailed(client: str, email: str, hours: int = 1) -> ClientUpdated:
    return ClientUpdated(event_id=f"e-mail-{client}-{hours}", occurred_at=T0 + timedelta(hours=hours),
                         location_id="l-1", client_id=client, email=email)


async def test_a_profile_stored_before_revisions_were_kept_takes_a_change(db):
    await db["clients"].insert_one({"_id": "l-1|c-1", "location_id": "l-1", "client_id": "c-1",
                                    "first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace",
                                    "email": "old@example.com", "stamps": {}})
    store = ReportsStore(db)

    await apply(store, emailed("c-1", "new@example.com"))

    client = await db["clients"].find_one({"_id": "l-1|c-1"})
    assert (client["first_name"], client["email"], client["profile_rev"]) == ("Ada", "new@example.com", 1)


async def test_a_redelivered_profile_batch_changes_nothing(db):
    a, b = ReportsStore(db), ReportsStore(db)
    batch = (registered("l-1", "c-1", first="Ada"), emailed("c-1", "ada@example.com"))
    await apply(a, *batch)
    await apply(a, entry("l-1", "c-1", 1, 500, 500))
    stored = await db["clients"].find_one({"_id": "l-1|c-1"}), await db["accounts"].find_one({"_id": "l-1|c-1"})

    await apply(a, *batch)
    await apply(b, *batch)  # redelivered to the other instance, which remembers nothing

    assert (await db["clients"].find_one({"_id": "l-1|c-1"}), await db["accounts"].find_one({"_id": "l-1|c-1"})) == stored


async def test_a_change_to_a_remembered_profile_is_written_without_reading_it(servers, db):
    registry = CollectorRegistry()
    client = mongo.connect(servers.mongodb, [StoreCommands(registry)])
    try:
        store = ReportsStore(client[db.name])
        await apply(store, *(registered("l-1", f"c-{n}") for n in range(20)))
        before = _commands(registry)

        await apply(store, *(emailed(f"c-{n}", f"c{n}@example.com") for n in range(20)))

        after = _commands(registry)
    finally:
        await client.close()
    sent = {key: after[key] - before.get(key, 0) for key in after}
    assert sent.get(("find", "clients"), 0) == 0 and sent[("update", "clients")] == 20
    assert await db["clients"].count_documents({"email": {"$ne": None}}) == 20


def _commands(registry: CollectorRegistry) -> dict[tuple[str, str], float]:
    return {(s.labels["command"], s.labels["collection"]): s.value for family in registry.collect()
            if family.name == "store_collection_commands" for s in family.samples if s.name.endswith("_total")}
