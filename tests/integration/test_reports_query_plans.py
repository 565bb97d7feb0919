"""What each report page asks the store, and how the store serves it.

The commands are the ones `ReportQueries` really sends (caught by a command listener), for every
report, every sort it offers, one location and the brand, a first page, a next page and a search.
On FerretDB v1 a location's page must reach PostgreSQL as the location equality served by its
GIN index; on MongoDB each page must come from an index with no blocking SORT stage.
"""

import uuid
from datetime import UTC, date, datetime, time

import pytest
from pymongo import AsyncMongoClient, monitoring

from services.reports.adapters import criteria
from services.reports.domain.indexes import REPORTS
from services.reports.domain.locations import Places
from services.reports.domain.ordering import decode_cursor, encode_cursor, parse_sort
from services.reports.domain.reports import ACCOUNT_BALANCES, CLIENT_SEARCH, CLIENTS_WITH_CREDIT, SESSION_CREDITS
from services.reports.service_layer.queries import ReportQueries
from services.reports.adapters.generations import on_ferretdb
from services.reports.adapters.store import ReportsStore

pytestmark = pytest.mark.integration

TODAY = date(2026, 6, 1)
PLACES = Places({}, datetime.combine(TODAY, time(12), UTC))
FILTERS = {CLIENTS_WITH_CREDIT.name: criteria.with_credit(None, None, None),
           SESSION_CREDITS.name: criteria.packages_valid(None, None, None, False, None, PLACES),
           ACCOUNT_BALANCES.name: {}, CLIENT_SEARCH.name: {}}


class Finds(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[dict] = []

    def started(self, event) -> None:
        if event.command_name == "find":
            self.commands.append({k: v for k, v in event.command.items() if k in ("find", "filter", "sort", "limit")})

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


@pytest.fixture
async def traced(servers):
    finds = Finds()
    client = AsyncMongoClient(servers.mongodb, tz_aware=True, event_listeners=[finds])
    db = client[f"plans_{uuid.uuid4().hex[:8]}"]
    await ReportsStore(db).ensure_indexes()
    await _rows(db)
    finds.commands.clear()
    yield db, finds
    await client.drop_database(db.name)
    await client.close()


async def _rows(db) -> None:
    for base in ("accounts", "packages", "clients"):
        await db[base].insert_many([_row(n) for n in range(40)])


def _row(n: int) -> dict:
    location, client = f"l-{n % 2}", f"c-{n:03d}"
    return {"_id": f"{location}|{client}", "location_id": location, "client_id": client, "package_id": "p",
            "full_name": f"Ada {n}", "sort_full_name": f"ada {n}", "first_name": "Ada", "sort_first_name": "ada",
            "last_name": str(n), "sort_last_name": str(n), "email": f"{client}@x", "sort_email": f"{client}@x",
            "phone": None, "search": f"ada {n} {client}@x {client}", "join_date": "2026-01-01",
            "balance_minor": n * 10, "account_credit_balance_minor": n * 10 + 1, "currency": "USD",
            "last_activity_at": None, "package_name": "Pack", "sort_package_name": "pack", "credits_purchased": 10,
            "credits_adjusted": 0, "credits_used": n % 5, "credits_remaining": 10 - n % 5, "starts_on": "2026-01-01",
            "expires_on": None if n % 3 else "2026-12-31"}


async def _every_page(db) -> None:
    """First page, next page and a search of every report and sort, for one location and the brand."""
    queries = ReportQueries(db)
    for collection, specs in REPORTS.items():
        for spec in specs:
            for order in _sorts(spec):
                segments = criteria.status_segments(None, PLACES) if order.names[0] == "status" else None
                for locations in (["l-1"], None):
                    read = (collection, locations, FILTERS[spec.name], order)
                    first = await queries.page(*read, None, 5, segments)
                    after = decode_cursor(encode_cursor(order, first[4]), order)
                    await queries.page(*read, after, 5, segments)
                    searched = criteria.all_of(FILTERS[spec.name], criteria.matching("ADA 1"))
                    await queries.page(collection, locations, searched, order, None, 5, segments)


def _sorts(spec):
    return [parse_sort(sign + name, spec) for name in spec.columns if spec.sortable(name) for sign in ("", "-")]


async def test_on_ferretdb_every_location_page_reaches_postgresql_as_its_indexed_equality(traced):
    db, finds = traced
    if not await on_ferretdb(db):
        pytest.skip("checks FerretDB's pushdown; MongoDB is checked by the explain test below")
    await _every_page(db)

    located = [c for c in finds.commands if c["filter"].get("location_id") == "l-1"]
    assert len(located) >= 100 and all("location_id" not in c["filter"].get("$and", []) for c in located)
    for command in located:
        explained = await db.command("explain", command)
        assert explained["filterPushdown"], command
        nodes = _pg_nodes(explained["queryPlanner"]["Plan"])
        assert "Seq Scan" not in nodes and "Bitmap Index Scan" in nodes, (command, nodes)


def _pg_nodes(plan: dict) -> set[str]:
    return {plan["Node Type"]} | {n for child in plan.get("Plans", []) for n in _pg_nodes(child)}


async def test_on_mongodb_every_page_comes_from_an_index_without_a_blocking_sort(traced):
    db, finds = traced
    if await on_ferretdb(db):
        pytest.skip("MONGODB_URL names FerretDB (buildInfo has ferretdbVersion), not MongoDB: FerretDB v1 sorts "
                    "in Go whatever the indexes, so MongoDB's index plans can only be checked on a real MongoDB")
    await _every_page(db)

    assert len(finds.commands) >= 200
    for command in finds.commands:
        explained = await db.command("explain", command, verbosity="queryPlanner")
        stages = _stages(explained["queryPlanner"]["winningPlan"])
        assert "SORT" not in stages and stages & {"IXSCAN", "EXPRESS_IXSCAN"}, (command, stages)


def _stages(plan: dict) -> set[str]:
    found = {plan.get("stage")} | {s for child in plan.get("inputStages", []) for s in _stages(child)}
    for key in ("inputStage", "queryPlan"):
        if key in plan:
            found |= _stages(plan[key])
    return found - {None}
