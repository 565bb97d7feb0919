"""A lookup by `_id` (or by client) is served by an index, not a scan of the collection.

FerretDB v1 asks PostgreSQL `_jsonb->'_id' @> value`, which its own btree index cannot serve;
deploy/local/postgres/ferretdb-indexes.sql gives every collection a GIN index that can. Without
it each lookup, and the query step of each conditional update, reads the whole table (17.5 ms at
30,000 documents here against 1.6 ms with it: benchmarks/store_lookups.py). MongoDB needs none
of this, so the test only runs on FerretDB.
"""

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
async def ferretdb(db):
    """The test database, when it is FerretDB: MongoDB indexes `_id` itself, and the services'
    own create_index calls the rest."""
    if "ferretdbVersion" not in await db.client.admin.command("buildInfo"):
        pytest.skip("these indexes are FerretDB's")
    return db


def _scans(explained: dict) -> set[str]:
    return {node["Node Type"] for node in _nodes(explained["queryPlanner"]["Plan"])}


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


async def test_a_new_collection_finds_a_document_by_id_through_an_index(ferretdb):
    await ferretdb["fresh_rows"].insert_many([{"_id": f"loc-1|client-{n}", "balance": n} for n in range(50)])

    explained = await ferretdb.command("explain", {"find": "fresh_rows", "filter": {"_id": "loc-1|client-7"}})

    scans = _scans(explained)
    assert "Seq Scan" not in scans and any("Index" in scan for scan in scans), scans
    assert await ferretdb["fresh_rows"].find_one({"_id": "loc-1|client-7"}) == {"_id": "loc-1|client-7", "balance": 7}


async def test_a_clients_documents_are_found_through_an_index(ferretdb):
    await ferretdb["entries"].insert_many([{"_id": f"e-{n}", "location_id": f"loc-{n % 3}", "client_id": f"c-{n % 7}"}
                                     for n in range(60)])

    explained = await ferretdb.command("explain", {"find": "entries", "filter": {"location_id": "loc-1", "client_id": "c-4"}})

    scans = _scans(explained)
    assert "Seq Scan" not in scans, scans
    found = await ferretdb["entries"].find({"location_id": "loc-1", "client_id": "c-4"}).to_list()
    assert sorted(doc["_id"] for doc in found) == ["e-25", "e-4", "e-46"]
