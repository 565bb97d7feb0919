"""The reports' read models and queries against the real database (FerretDB here, MongoDB in compose)."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.reports.adapters import criteria
from services.reports.domain.locations import Places
from services.reports.domain.movements import movement_rows
from services.reports.domain.ordering import decode_cursor, encode_cursor, parse_sort
from services.reports.domain.folding import Fold, Row
from services.reports.domain.reports import ACCOUNT_BALANCES, CLIENTS_WITH_CREDIT, SESSION_CREDITS
from services.reports.service_layer.projector import Projector
from services.reports.service_layer.queries import ReportQueries
from services.reports.adapters.store import LOCATION, ReportsStore, location_key
from shared.migrations import reports_location_marks
from shared.contract.clients import ClientRegistered, ClientUpdated
from shared.contract.credits import AccountEntryRecorded, PackageChanged

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def noon_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)


def entry(location: str, client: str, sequence: int, amount: int, balance: int, credit: int = 0,
          kind: str = "Payment", at: datetime | None = None) -> AccountEntryRecorded:
    at = at or T0 + timedelta(hours=sequence)
    return AccountEntryRecorded(
        event_id=f"e-{uuid.uuid4().hex}", occurred_at=at, location_id=location, client_id=client,
        entry_id=f"le-{client}-{sequence}", sequence=sequence, entry_type=kind, amount_minor=amount,
        balance_after_minor=balance, credit_balance_minor=credit, currency="USD", at=at)


def registered(location: str, client: str, first: str = "Ada", email: str | None = None, **fields) -> ClientRegistered:
    return ClientRegistered(event_id=f"e-{uuid.uuid4().hex}", occurred_at=T0, location_id=location, client_id=client,
                            first_name=first, last_name="Lovelace", email=email, join_date=date(2026, 1, 15), **fields)


@pytest.fixture
async def store(db):
    store = ReportsStore(db)
    await store.ensure_indexes()
    return store


@pytest.fixture
def queries(db):
    return ReportQueries(db)


async def apply(store, *events) -> None:
    """One batch, as the subscribers hand it over."""
    await Projector(store).apply(events)


_register = apply


async def test_a_redelivered_entry_changes_nothing(store):
    first = entry("l-1", "c-1", 1, 5000, 5000, credit=5000)
    for _ in range(3):
        await apply(store, first)

    assert await store.entries.count_documents({}) == 1
    account = await store.accounts.find_one({"_id": "l-1|c-1"})
    assert (account["balance_minor"], account["account_credit_balance_minor"], account["version"]) == (5000, 5000, 1)


async def test_an_older_entry_arriving_late_is_kept_in_history_but_does_not_move_the_balance(store):
    await apply(store, entry("l-1", "c-1", 2, -2000, 3000, kind="Charge"))
    await apply(store, entry("l-1", "c-1", 1, 5000, 5000))

    account = await store.accounts.find_one({"_id": "l-1|c-1"})
    assert account["balance_minor"] == 3000 and account["last_activity_at"] == T0 + timedelta(hours=2)
    assert await store.entries.count_documents({"client_id": "c-1"}) == 2


async def test_an_entry_before_the_clients_registration_converges_on_the_profile(store):
    await apply(store, entry("l-1", "c-1", 1, 5000, 5000))
    await _register(store, registered("l-1", "c-1", email="ada@example.com"))
    update = ClientUpdated(event_id="e-u", occurred_at=T0, location_id="l-1", client_id="c-1", last_name="Byron")
    await apply(store, update)

    account = await store.accounts.find_one({"_id": "l-1|c-1"})
    profile = (account["full_name"], account["email"], account["join_date"])
    assert profile == ("Ada Byron", "ada@example.com", "2026-01-15")
    assert account["search"] == "ada byron ada@example.com c-1"


async def test_an_entry_after_the_registration_carries_the_profile(store):
    await _register(store, registered("l-1", "c-1", phone="+44 20 7946 0000"))
    await apply(store, entry("l-1", "c-1", 1, 5000, 5000))

    account = await store.accounts.find_one({"_id": "l-1|c-1"})
    assert (account["first_name"], account["phone"]) == ("Ada", "+44 20 7946 0000")


async def _accounts(store, rows: list[tuple]) -> None:
    for location, client, first, email, balance in rows:
        await _register(store, registered(location, client, first=first, email=email))
        await apply(store, entry(location, client, 1, balance, balance, credit=max(balance, 0)))


SOME_ACCOUNTS = [
    ("l-1", "c-1", "Ada", "ada@example.com", 500), ("l-1", "c-2", "Bob", None, -300),
    ("l-2", "c-3", "Cy", "cy@example.com", 900), ("l-1", "c-4", "Di", None, 500),
    ("l-1", "c-5", "Ed", "ed@example.com", 0), ("l-2", "c-6", "Flo", None, 100),
]


async def _walk(queries, spec, filters: dict, sort: str, limit: int, locations: list[str] | None = None) -> list[str]:
    order, after, seen = parse_sort(sort, spec), None, []
    while True:
        found = await queries.page("accounts", locations, filters, order, after, limit)
        seen += [row["client_id"] for row in found[:limit]]
        if len(found) <= limit:
            return seen
        after = decode_cursor(encode_cursor(order, found[limit - 1]), order)


@pytest.mark.parametrize(("sort", "expected"), [
    ("-balance_minor", ["c-3", "c-1", "c-4", "c-6", "c-5", "c-2"]),
    ("email", ["c-2", "c-4", "c-6", "c-1", "c-3", "c-5"]),
    ("-email", ["c-5", "c-3", "c-1", "c-2", "c-4", "c-6"]),
    ("location_id", ["c-1", "c-2", "c-4", "c-5", "c-3", "c-6"]),
])
async def test_pages_follow_the_sort_with_nulls_and_ties_and_visit_each_row_once(store, queries, sort, expected):
    await _accounts(store, SOME_ACCOUNTS)

    for limit in (1, 2, 4, 50):
        assert await _walk(queries, ACCOUNT_BALANCES, {}, sort, limit) == expected


async def test_filters_combine_location_search_and_credit(store, queries):
    await _accounts(store, SOME_ACCOUNTS)
    credit = criteria.with_credit(None, None, None)
    search = criteria.matching("  EXAMPLE.com")
    owing = criteria.with_balance("negative")

    assert await _walk(queries, CLIENTS_WITH_CREDIT, credit, "client_id", 50, ["l-1"]) == ["c-1", "c-4"]
    assert await _walk(queries, ACCOUNT_BALANCES, search, "client_id", 50, ["l-1", "l-2"]) == ["c-1", "c-3", "c-5"]
    assert await _walk(queries, ACCOUNT_BALANCES, owing, "client_id", 50) == ["c-2"]
    assert await _walk(queries, ACCOUNT_BALANCES, criteria.matching("a.b"), "client_id", 50) == []


async def test_streaming_reads_every_matching_row_in_order(store, queries):
    await _accounts(store, SOME_ACCOUNTS)
    order = parse_sort("client_id", ACCOUNT_BALANCES)

    streamed = [row["client_id"] async for row in queries.stream("accounts", ["l-1"], {}, order)]

    assert streamed == ["c-1", "c-2", "c-4", "c-5"]


async def test_packages_valid_in_a_range_include_never_expiring_ones_and_hide_expired(db, queries):
    today = date(2026, 6, 1)
    for package, starts, expires in [("old", "2025-01-01", "2025-12-31"), ("now", "2026-01-01", "2026-06-10"),
                                     ("open", "2026-01-01", None), ("later", "2026-09-01", "2026-12-31")]:
        await db["packages"].insert_one({"_id": package, "location_id": "l", "client_id": package,
                                         "package_id": package, "starts_on": starts, "expires_on": expires})
    order = parse_sort("client_id", ACCOUNT_BALANCES)

    async def ids(**kwargs) -> list[str]:
        args = {"start": None, "end": None, "expiring_within_days": None, "include_expired": False, **kwargs}
        where = criteria.packages_valid(**args, locations=None, places=Places({}, noon_of(today)))
        rows = await queries.page("packages", None, where, order, None, 50)
        return sorted(row["package_id"] for row in rows)

    assert await ids() == ["later", "now", "open"]
    assert await ids(include_expired=True, start=date(2025, 6, 1), end=date(2026, 3, 1)) == ["now", "old", "open"]
    assert await ids(end=date(2026, 8, 31)) == ["now", "open"]
    assert await ids(expiring_within_days=30) == ["now"]


async def test_balance_movements_open_at_the_last_balance_before_and_close_at_the_last_balance_in(store, queries):
    day = timedelta(days=1)
    ledger = [(1, 5000, 5000, "Payment", T0 - day), (2, -2000, 3000, "Charge", T0), (3, 700, 3700, "Credit", T0 + day),
              (4, -700, 3000, "Credit Expired", T0 + 2 * day), (5, -1000, 2000, "Charge", T0 + 5 * day)]
    for sequence, amount, balance, kind, at in ledger:
        await apply(store, entry("l-1", "c-1", sequence, amount, balance, kind=kind, at=at))
    await apply(store, entry("l-2", "c-2", 1, 100, 100, at=T0))
    start, end, places = T0.date(), T0.date() + 2 * day, Places({}, T0)

    rows = movement_rows(await queries.sums_before(criteria.entries_before(None, places, start)),
                         await queries.sums_by_type(criteria.entries_within(None, places, start, end)))

    assert [(r["location_id"], r["opening_minor"], r["closing_minor"]) for r in rows] == [("l-1", 5000, 3000),
                                                                                         ("l-2", 0, 100)]
    assert (rows[0]["charge_minor"], rows[0]["credit_minor"], rows[0]["credit_expired_minor"]) == (-2000, 700, -700)
    assert await queries.sums_before(criteria.entries_before(["l-2"], places, start)) == {}


async def test_history_pages_newest_first(store, queries):
    for sequence in range(1, 6):
        await apply(store, entry("l-1", "c-1", sequence, 100, 100 * sequence))

    first = await queries.history("l-1", "c-1", None, 2)
    rest = await queries.history("l-1", "c-1", first[1]["sequence"], 10)

    assert [e["sequence"] for e in first] == [5, 4, 3] and [e["sequence"] for e in rest] == [3, 2, 1]


async def test_names_sort_case_insensitively_through_the_stored_folded_copy(store, queries):
    for client, first in [("c-1", "bob"), ("c-2", "Ada"), ("c-3", "alan"), ("c-4", "Bea")]:
        await _register(store, registered("l-1", client, first=first))
        await apply(store, entry("l-1", client, 1, 100, 100, credit=100))

    assert await _walk(queries, ACCOUNT_BALANCES, {}, "full_name", 1) == ["c-2", "c-3", "c-4", "c-1"]
    assert await _walk(queries, CLIENTS_WITH_CREDIT, {}, "-first_name", 3) == ["c-1", "c-4", "c-3", "c-2"]


async def test_a_status_sort_pages_through_active_then_expired_packages(db, queries):
    today = date(2026, 6, 1)
    for client, expires in [("c-1", "2026-01-31"), ("c-2", None), ("c-3", "2026-12-31"), ("c-4", "2026-05-31")]:
        await db["packages"].insert_one({"_id": client, "location_id": "l", "client_id": client, "package_id": "p",
                                         "starts_on": "2026-01-01", "expires_on": expires})
    segments = criteria.status_segments(None, Places({}, noon_of(today)))

    async def walk(sort: str, limit: int) -> list[tuple[str, str]]:
        order, after, seen = parse_sort(sort, SESSION_CREDITS), None, []
        while True:
            found = await queries.page("packages", None, {}, order, after, limit, segments)
            seen += [(row["client_id"], row["status"]) for row in found[:limit]]
            if len(found) <= limit:
                return seen
            after = decode_cursor(encode_cursor(order, found[limit - 1]), order)

    for limit in (1, 2, 3, 50):
        assert await walk("status", limit) == [("c-2", "active"), ("c-3", "active"), ("c-1", "expired"),
                                               ("c-4", "expired")]
        assert await walk("-status", limit) == [("c-1", "expired"), ("c-4", "expired"), ("c-2", "active"),
                                                ("c-3", "active")]
    streamed = [row["client_id"] async for row in queries.stream("packages", None, {}, parse_sort("-status", SESSION_CREDITS),
                                                                 segments)]
    assert streamed == ["c-1", "c-4", "c-2", "c-3"]


async def test_a_membership_is_kept_at_its_newest_version(store):
    row = {"location_id": "l-1", "client_id": "c-1", "membership_id": "m-1", "membership_name": "8 a month",
           "period": "month", "credits_per_period": 8, "starts_on": "2026-01-01", "ends_on": None}
    for version, fields in [(2, {**row, "ends_on": "2026-06-30"}), (1, row)]:
        folded = Fold()
        folded.keep("memberships", "l-1|c-1|m-1", Row(("l-1", "c-1"), version, fields))
        await store.apply(folded)

    [kept] = await store.client_memberships("l-1", "c-1")
    assert (kept["ends_on"], kept["version"]) == ("2026-06-30", 2)


def package(location: str, client: str, version: int, consumed: int) -> PackageChanged:
    return PackageChanged(event_id=f"e-{uuid.uuid4().hex}", occurred_at=T0 + timedelta(minutes=version),
                          location_id=location, client_id=client, package_id="p-1", package_name="10 classes",
                          version=version, credits_purchased=10, credits_adjusted=0, total=10, consumed=consumed,
                          holds=[], starts_on=date(2026, 1, 1), expires_on=None)


async def test_a_batch_stores_each_rows_newest_version_whatever_the_order(store):
    await apply(store, package("l-1", "c-1", 3, 3), package("l-1", "c-1", 5, 5), package("l-1", "c-1", 4, 4))

    [row] = await store.client_packages("l-1", "c-1")
    assert (row["credits_remaining"], row["version"]) == (5, 5)
    assert await store.as_of() == T0 + timedelta(minutes=5)


async def test_a_batch_delivered_again_after_later_ones_moves_nothing_back(store):
    first = [registered("l-1", "c-1"), package("l-1", "c-1", 1, 1), entry("l-1", "c-1", 1, 5000, 5000)]
    await apply(store, *first)
    await apply(store, package("l-1", "c-1", 2, 2), entry("l-1", "c-1", 2, -1000, 4000, kind="Charge"))

    await apply(store, *first)  # a redelivery, e.g. after a crash before the commit
    await apply(ReportsStore(store.db), *first)  # and after a restart, with nothing in memory

    [row] = await store.client_packages("l-1", "c-1")
    account = await store.accounts.find_one({"_id": "l-1|c-1"})
    assert (row["consumed"], account["balance_minor"], await store.entries.count_documents({})) == (2, 4000, 2)


async def test_rows_and_the_registration_in_one_batch_carry_the_profile_in_any_order(store):
    await apply(store, package("l-1", "c-1", 1, 0), entry("l-1", "c-1", 1, 100, 100), registered("l-1", "c-1"))
    await apply(store, package("l-1", "c-2", 1, 0), registered("l-1", "c-2", first="Bea"))

    rows = {r["client_id"]: r["full_name"] for r in await store.packages.find().to_list()}
    account = await store.accounts.find_one({"_id": "l-1|c-1"})
    assert rows == {"c-1": "Ada Lovelace", "c-2": "Bea Lovelace"} and account["full_name"] == "Ada Lovelace"


async def test_a_row_removed_behind_the_writers_back_is_written_again(store):
    """The writer's memory of versions is only an accelerator: a row it believes stored but that
    is gone (a generation dropped and recreated) is inserted, not silently skipped."""
    await apply(store, package("l-1", "c-1", 1, 1))
    await store.packages.delete_many({})

    await apply(store, package("l-1", "c-1", 2, 2))

    [row] = await store.client_packages("l-1", "c-1")
    assert row["version"] == 2


BRANDED = [  # c-1 and c-3 are clients of two locations; ties on balance and nulls on email across them
    ("l-1", "c-1", "Ada", "ada@example.com", 500), ("l-2", "c-1", "Ada", "ada@example.com", 500),
    ("l-1", "c-2", "Bob", None, -300), ("l-3", "c-3", "Cy", None, 500), ("l-2", "c-3", "Cy", None, 100),
    ("l-2", "c-4", "Di", "di@example.com", 0), ("l-3", "c-5", "Ed", "ed@example.com", 700),
]


@pytest.mark.parametrize("sort", ["-balance_minor", "email", "-email", "location_id", "-location_id", "full_name"])
async def test_several_locations_page_like_the_brand_restricted_to_them(store, queries, sort):
    await _accounts(store, BRANDED)

    brand = await _walk_rows(queries, sort, 50, None)
    for limit in (1, 2, 3):
        assert await _walk_rows(queries, sort, limit, ["l-2", "l-1"]) == [row for row in brand if row[1] != "l-3"]
    assert len(brand) == len(BRANDED)


async def _walk_rows(queries, sort: str, limit: int, locations) -> list[tuple[str, str]]:
    order, after, seen = parse_sort(sort, ACCOUNT_BALANCES), None, []
    while True:
        found = await queries.page("accounts", locations, {}, order, after, limit)
        seen += [(row["client_id"], row["location_id"]) for row in found[:limit]]
        if len(found) <= limit:
            return seen
        after = decode_cursor(encode_cursor(order, found[limit - 1]), order)


async def test_several_locations_stream_in_the_order_of_their_pages(store, queries):
    await _accounts(store, BRANDED)
    order = parse_sort("-balance_minor", ACCOUNT_BALANCES)

    streamed = [(r["client_id"], r["location_id"]) async for r in queries.stream("accounts", ["l-3", "l-2"], {}, order)]

    assert streamed == [("c-5", "l-3"), ("c-1", "l-2"), ("c-3", "l-3"), ("c-3", "l-2"), ("c-4", "l-2")]


@pytest.mark.parametrize(("q", "found"), [
    ("STRASSE", ["c-1"]), ("josé", ["c-2"]), ("(20)", ["c-3"]), ("a.b*c", ["c-4"]), ("C-4", ["c-4"]),
    ("a.c", []), (".*", []), ("[", []), ("\\", ["c-5"]),
])
async def test_search_is_case_insensitive_in_any_script_and_literal(store, queries, q, found):
    profiles = [("c-1", "Jörg", "Straße", None, None), ("c-2", "JOSE\u0301", "Díaz", None, None),
                ("c-3", "Cy", "Young", None, "+44 (20) 7946"), ("c-4", "Di", "Dee", "a.b*c@example.com", None),
                ("c-5", "Ed", "Back\\slash", None, None)]
    for client, first, last, email, phone in profiles:
        await _register(store, ClientRegistered(event_id=f"e-{uuid.uuid4().hex}", occurred_at=T0, location_id="l-1",
                                                client_id=client, first_name=first, last_name=last, email=email,
                                                phone=phone, join_date=date(2026, 1, 15)))
    order = parse_sort("full_name", ACCOUNT_BALANCES)

    rows = await queries.page("clients", ["l-1"], criteria.matching(q), order, None, 50)

    assert sorted(row["client_id"] for row in rows) == found


async def test_the_brand_read_location_by_location_pages_like_one_query(store, db):
    await _accounts(store, BRANDED)
    by_location, one_query = ReportQueries(db), ReportQueries(db)
    by_location.brand_by_location = True

    assert await by_location.known_locations() == ["l-1", "l-2", "l-3"]
    for sort in ("-balance_minor", "email", "-location_id"):
        for limit in (1, 3):
            assert await _walk_rows(by_location, sort, limit, None) == await _walk_rows(one_query, sort, 50, None)


async def test_the_store_lists_the_locations_it_has_rows_of_once_each(store, queries):
    await apply(store, entry("l-2", "c-1", 1, 100, 100), registered("l-1", "c-2"))
    await apply(ReportsStore(store.db), entry("l-2", "c-3", 1, 100, 100))  # a restart knows nothing: adds nothing new

    assert await queries.known_locations() == ["l-1", "l-2"]


async def test_a_generation_projected_before_location_marks_lists_the_whole_brand_once_migrated(db):
    """Rows projected before the marks existed, in the first generation and a rebuilt one."""
    for accounts in ("accounts", "accounts_g2"):
        await db[accounts].insert_many([{"_id": f"l-{n}|c-{n}", "location_id": f"l-{n}", "client_id": f"c-{n}"}
                                        for n in range(3)])
    await db["account_entries"].insert_one({"_id": "e", "location_id": "l-9", "client_id": "c-9"})
    await db["meta"].insert_one({"_id": location_key("l-1"), "type": LOCATION, "location_id": "l-1"})
    queries = ReportQueries(db)
    queries.brand_by_location = True

    assert await reports_location_marks.migrate(db) == 3 + 3  # l-0, l-2, l-9; and the three of generation 2
    assert await reports_location_marks.migrate(db) == 0

    assert await queries.known_locations() == ["l-0", "l-1", "l-2", "l-9"]
    assert await _walk_rows(queries, "client_id", 2, None) == [("c-0", "l-0"), ("c-1", "l-1"), ("c-2", "l-2")]
    assert await ReportQueries(db, lambda: 2).known_locations() == ["l-0", "l-1", "l-2"]
