"""The account history is paged like the reports: `{items, next_cursor, as_of}`, newest first,
`next_cursor` null on the last page; its filter is flat so FerretDB pushes both equalities down."""

from datetime import UTC, datetime

import httpx
import pytest

from services.reports.bootstrap import assemble
from services.reports.entrypoints.dependencies import READING, Reading
from services.reports.service_layer.queries import ReportQueries
from shared.wiring.auth import mint_token
from shared.wiring.clock import ManualClock
from shared.wiring.service import create_app
from shared.wiring.settings import Settings

SECRET = "unit-secret-for-the-account-history-0123456"
AS_OF = datetime(2026, 11, 30, 12, tzinfo=UTC)
PATH = "/v1/locations/l-1/clients/c-1/account/history"


def entry(sequence: int) -> dict:
    return {"location_id": "l-1", "client_id": "c-1", "sequence": sequence, "type": "Payment",
            "amount_minor": 100, "balance_after_minor": 100 * sequence, "currency": "USD", "note": None,
            "actor": None, "at": datetime(2026, 11, sequence, tzinfo=UTC)}


class Ledger:
    """`queries.history` and `store.as_of` over five entries, as the real ones answer."""

    def __init__(self) -> None:
        self.entries = [entry(n) for n in range(1, 6)]

    async def history(self, location_id: str, client_id: str, before: int | None, limit: int) -> list[dict]:
        newest_first = sorted(self.entries, key=lambda e: -e["sequence"])
        return [e for e in newest_first if before is None or e["sequence"] < before][:limit + 1]

    async def as_of(self) -> datetime:
        return AS_OF


@pytest.fixture
def reports():
    app = create_app(Settings.for_service("reports", 8003).model_copy(update={"staff_jwt_secret": SECRET}), assemble)
    ledger = Ledger()
    app.dependency_overrides[READING] = lambda: Reading(ledger, ledger, ManualClock(AS_OF))
    token = mint_token(SECRET, "staff-1", "reporting", ["l-1"])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test",
                             headers={"Authorization": f"Bearer {token}"})


async def test_the_history_pages_newest_first_to_a_null_cursor(reports):
    pages, cursor = [], None
    async with reports as http:
        while True:
            body = (await http.get(PATH, params={"limit": 2, **({"cursor": cursor} if cursor else {})})).json()
            pages.append([e["balance_after_minor"] for e in body["items"]])
            assert {"items", "next_cursor", "as_of"} <= set(body) and body["as_of"] == AS_OF.isoformat()
            if not (cursor := body["next_cursor"]):
                break

    assert pages == [[500, 400], [300, 200], [100]]


async def test_an_entry_shows_the_contracts_fields(reports):
    async with reports as http:
        [item] = (await http.get(PATH, params={"limit": 1})).json()["items"]

    assert set(item) == {"at", "amount_minor", "balance_after_minor", "currency", "type", "note", "actor"}


async def test_a_cursor_that_is_not_one_is_422_naming_it(reports):
    async with reports as http:
        response = await http.get(PATH, params={"cursor": "not-a-cursor"})

    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "cursor"


class Found:
    def __init__(self, seen: list) -> None:
        self.seen = seen

    def sort(self, *args):
        self.seen.append(("sort", args))
        return self

    def limit(self, n: int):
        self.seen.append(("limit", n))
        return self

    async def to_list(self) -> list:
        return []


class Entries:
    def __init__(self) -> None:
        self.seen: list = []

    def find(self, query: dict) -> Found:
        self.seen.append(("find", query))
        return Found(self.seen)


@pytest.mark.parametrize(("before", "query"), [
    (None, {"location_id": "l-1", "client_id": "c-1"}),
    (4, {"location_id": "l-1", "client_id": "c-1", "sequence": {"$lt": 4}}),
])
async def test_the_history_query_is_two_top_level_equalities_and_a_range_on_the_indexed_sequence(before, query):
    queries, entries = ReportQueries(db=None), Entries()
    queries.rows = lambda base: entries  # type: ignore[method-assign]

    await queries.history("l-1", "c-1", before, 10)

    assert entries.seen == [("find", query), ("sort", ("sequence", -1)), ("limit", 11)]
