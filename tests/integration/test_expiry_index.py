"""The expiry sweeper finds due credit through an index, without reading the version log.

Only versions with expiring credit carry `expiring_credit: true`; the sweeper's filter puts that
equality at the top level, which FerretDB v1 sends to PostgreSQL (served by the GIN index that
deploy/local/postgres/ferretdb-indexes.sql gives the field), and MongoDB serves from the
compound index.
"""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient, monitoring

from services.credits.service_layer.handlers import CreditsHandlers
from services.credits.adapters.store import CreditsStore
from shared.contract.sales import AccountTransaction
from shared.wiring.clock import ManualClock
from shared.wiring.locations import LocationBook
from tests.support import postgres

pytestmark = pytest.mark.integration

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


class Finds(monitoring.CommandListener):
    def __init__(self) -> None:
        self.filters: list[dict] = []

    def started(self, event) -> None:
        if event.command_name == "find" and event.command.get("find") == "client_credits":
            self.filters.append(event.command["filter"])

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


@pytest.fixture
async def traced(servers):
    finds = Finds()
    client = AsyncMongoClient(servers.mongodb, tz_aware=True, event_listeners=[finds])
    db = client[f"expiry_{uuid.uuid4().hex[:8]}"]
    yield db, finds
    await client.drop_database(db.name)
    await client.close()


def credit(n: int, client: str, expires_on: date | None):
    return AccountTransaction(event_id=f"tx-{n}", occurred_at=T0, location_id="l-1", client_id=client,
                              transaction_id=f"tx-{n}", kind="credit", amount_minor=1000, currency="USD",
                              credit_expires_on=expires_on)


async def handlers_on(db, clock) -> CreditsHandlers:
    async def publish(events: list[dict]) -> None:
        pass

    store = CreditsStore(db, publish, clock.now)
    await store.ensure_indexes()
    return CreditsHandlers(store, clock, LocationBook(db["locations"]))


async def test_only_versions_with_expiring_credit_carry_the_sweepers_flag(traced):
    db, _ = traced
    handlers = await handlers_on(db, ManualClock(T0))
    await handlers.apply_batch([credit(1, "keeps", None), credit(2, "expires", date(2026, 6, 30))])

    flagged = await db["client_credits"].find({"expiring_credit": True}).to_list()

    assert [(d["client_id"], d["next_credit_expiry_on"]) for d in flagged] == [("expires", "2026-06-30")]
    assert await db["client_credits"].count_documents({"next_credit_expiry_on": {"$exists": True}}) == 1


async def test_the_sweeper_asks_for_the_flag_as_a_top_level_equality_and_expires_only_what_is_due(traced):
    db, finds = traced
    clock = ManualClock(T0)
    handlers = await handlers_on(db, clock)
    await handlers.apply_batch([credit(1, "keeps", None), credit(2, "due", date(2026, 6, 30)),
                                credit(3, "later", date(2026, 9, 30))])
    finds.filters.clear()
    clock.set(datetime(2026, 7, 2, tzinfo=UTC))

    assert await handlers.expire_due_credit() == 1

    [swept] = [f for f in finds.filters if "expiring_credit" in f]
    assert swept["expiring_credit"] is True and "$and" not in swept and "$or" not in swept
    assert await handlers.expire_due_credit() == 0


async def test_on_ferretdb_the_sweepers_filter_reaches_postgresql_through_an_index(traced):
    db, finds = traced
    if "ferretdbVersion" not in await db.client.admin.command("buildInfo"):
        pytest.skip("checks FerretDB's pushdown; MongoDB serves the filter from the compound index")
    clock = ManualClock(T0)
    handlers = await handlers_on(db, clock)
    # enough rows for PostgreSQL to prefer the index to a scan: 3 of 300 clients with expiring credit
    await handlers.apply_batch([credit(n, f"c-{n}", date(2026, 6, 30) if n % 100 == 0 else None) for n in range(300)])
    _index_as_deployed(db.name)
    clock.set(datetime(2026, 7, 2, tzinfo=UTC))
    await handlers.store.due_for_expiry(clock.now(), lambda _: UTC)
    [swept] = [f for f in finds.filters if "expiring_credit" in f]

    explained = await db.command("explain", {"find": "client_credits", "filter": swept})

    assert explained["filterPushdown"]
    nodes = _pg_nodes(explained["queryPlanner"]["Plan"])
    assert "Seq Scan" not in nodes and "Bitmap Index Scan" in nodes, nodes


def _index_as_deployed(database: str) -> None:
    """The GIN index deploy/local/postgres/ferretdb-indexes.sql gives the field on tables created
    after the cluster was started with it (the shared test cluster may predate the field)."""
    pg = postgres.Postgres()
    table = pg.sql(f"SELECT _jsonb->>'table' FROM \"{database}\"._ferretdb_database_metadata "
                   "WHERE _jsonb->>'_id' = 'client_credits'", database="ferretdb")
    pg.sql(f"CREATE INDEX IF NOT EXISTS {table[:40]}_expiring_credit_gin ON \"{database}\".\"{table}\" "
           "USING gin ((_jsonb -> 'expiring_credit') jsonb_path_ops) WITH (fastupdate = off)",
           f"ANALYZE \"{database}\".\"{table}\"", database="ferretdb")


def _pg_nodes(plan: dict) -> set[str]:
    return {plan["Node Type"]} | {n for child in plan.get("Plans", []) for n in _pg_nodes(child)}


async def test_a_client_whose_credit_expired_drops_out_of_the_sweepers_reads_once_compacted(traced):
    db, _ = traced
    clock = ManualClock(T0)
    handlers = await handlers_on(db, clock)
    await handlers.apply_batch([credit(1, "c-1", date(2026, 6, 30))])
    clock.set(datetime(2026, 7, 2, tzinfo=UTC))
    assert await handlers.expire_due_credit() == 1
    assert await db["client_credits"].count_documents({"expiring_credit": True}) == 1  # the superseded version

    clock.set(clock.now() + timedelta(minutes=11))
    await handlers.store.aggregates.compactor.compact()

    assert await db["client_credits"].count_documents({"expiring_credit": True}) == 0
