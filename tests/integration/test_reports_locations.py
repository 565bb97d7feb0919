"""Location names and zones in the reports, against the real database: joined in when read,
judged in each location's own day."""

import uuid
from datetime import UTC, date, datetime

import pytest

from services.reports.adapters import criteria
from services.reports.domain.locations import Places
from services.reports.domain.movements import movement_rows
from services.reports.domain.ordering import decode_cursor, encode_cursor, parse_sort
from services.reports.domain.reports import ACCOUNT_BALANCES, SESSION_CREDITS, present
from shared.contract.credits import AccountEntryRecorded
from shared.contract.locations import LocationRegistered, LocationUpdated
from tests.integration.test_reports_store import apply, queries, store  # noqa: F401 (fixtures)

pytestmark = pytest.mark.integration

T0 = datetime(2026, 6, 30, 12, tzinfo=UTC)  # 02:00 on 1 July in Kiritimati, 00:00 on 30 June at UTC-12


def registered(location: str, name: str, zone: str, at: datetime = T0) -> LocationRegistered:
    return LocationRegistered(event_id=f"e-{uuid.uuid4().hex}", occurred_at=at, location_id=location,
                              name=name, time_zone=zone)


def entry(location: str, client: str, sequence: int, amount: int, at: datetime) -> AccountEntryRecorded:
    return AccountEntryRecorded(
        event_id=f"e-{uuid.uuid4().hex}", occurred_at=at, location_id=location, client_id=client,
        entry_id=f"le-{client}-{sequence}", sequence=sequence, entry_type="Payment", amount_minor=amount,
        balance_after_minor=amount * sequence, credit_balance_minor=0, currency="USD", at=at)




async def places(queries, now: datetime = T0) -> Places:
    return Places(await queries.location_records(), now)


async def test_a_rename_is_one_write_and_every_row_shows_the_new_name(store, queries):
    await apply(store, registered("l-1", "Downtown", "America/New_York"),
                *[entry("l-1", f"c-{n}", 1, 100, T0) for n in range(5)])
    await apply(store, LocationUpdated(event_id="e-rename", occurred_at=T0.replace(hour=13), location_id="l-1",
                                       name="Midtown"))

    rows = await queries.page("accounts", None, {}, parse_sort("client_id", ACCOUNT_BALANCES), None, 50)
    known = await places(queries)
    assert {present(ACCOUNT_BALANCES, row, known)["location_name"] for row in rows} == {"Midtown"}
    assert known.zone_name("l-1") == "America/New_York"
    assert await store.locations.count_documents({}) == 1


async def test_an_older_location_event_arriving_late_changes_nothing(store, queries):
    await apply(store, registered("l-1", "Downtown", "America/New_York", at=T0.replace(hour=13)))
    await apply(store, registered("l-1", "Old name", "Europe/London", at=T0))

    record = (await queries.location_records())["l-1"]
    assert (record["name"], record["time_zone"]) == ("Downtown", "America/New_York")


async def _package(db, location: str, client: str, expires: str | None) -> None:
    await db["packages"].insert_one({"_id": f"{location}|{client}", "location_id": location, "client_id": client,
                                     "package_id": "p", "starts_on": "2026-01-01", "expires_on": expires})


async def test_status_and_expired_packages_are_judged_on_each_locations_today(db, store, queries):
    await apply(store, registered("east", "Kiritimati", "Pacific/Kiritimati"), registered("west", "Baker", "Etc/GMT+12"))
    for location in ("east", "west", "nowhere"):
        await _package(db, location, f"{location}-june", "2026-06-30")
    known = await places(queries)
    order = parse_sort("client_id", SESSION_CREDITS)

    active = await queries.page("packages", None, criteria.packages_valid(None, None, None, False, None, known), order,
                                None, 50)
    rows = await queries.page("packages", None, {}, order, None, 50)

    assert sorted(r["client_id"] for r in active) == ["nowhere-june", "west-june"]
    assert {r["client_id"]: present(SESSION_CREDITS, r, known)["status"] for r in rows} == {
        "east-june": "expired", "nowhere-june": "active", "west-june": "active"}


async def test_expiring_within_days_counts_from_the_locations_today(db, store, queries):
    await apply(store, registered("east", "Kiritimati", "Pacific/Kiritimati"), registered("west", "Baker", "Etc/GMT+12"))
    await _package(db, "east", "east-july-2", "2026-07-02")
    await _package(db, "west", "west-july-2", "2026-07-02")
    known = await places(queries)

    where = criteria.packages_valid(None, None, 1, False, None, known)
    found = await queries.page("packages", None, where, parse_sort("client_id", SESSION_CREDITS), None, 50)

    # Today is 1 July in Kiritimati (2 July is within a day) and 30 June at UTC-12 (it is not).
    assert [r["client_id"] for r in found] == ["east-july-2"]


async def test_a_location_name_sort_pages_through_names_then_unnamed_last_descending(store, queries):
    await apply(store, registered("l-b", "brooklyn", "America/New_York"), registered("l-a", "Astoria", "America/New_York"))
    for location, client in [("l-b", "c-1"), ("l-a", "c-2"), ("l-z", "c-3"), ("l-a", "c-4")]:
        await apply(store, entry(location, client, 1, 100, T0))
    known = await places(queries)
    segments = criteria.name_segments(None, known)

    async def walk(sort: str, limit: int) -> list[str]:
        order, after, seen = parse_sort(sort, ACCOUNT_BALANCES), None, []
        while True:
            found = await queries.page("accounts", None, {}, order, after, limit, segments)
            seen += [row["client_id"] for row in found[:limit]]
            if len(found) <= limit:
                return seen
            after = decode_cursor(encode_cursor(order, found[limit - 1]), order)

    for limit in (1, 2, 50):
        assert await walk("location_name", limit) == ["c-3", "c-2", "c-4", "c-1"]
        assert await walk("-location_name", limit) == ["c-1", "c-2", "c-4", "c-3"]


async def test_balance_movements_take_each_locations_own_days(store, queries):
    await apply(store, registered("east", "Kiritimati", "Pacific/Kiritimati"), registered("west", "Baker", "Etc/GMT+12"))
    # 11:00 UTC on 30 June: 1 July 01:00 in Kiritimati, 29 June 23:00 at UTC-12.
    at = datetime(2026, 6, 30, 11, tzinfo=UTC)
    await apply(store, entry("east", "c-1", 1, 100, at), entry("west", "c-2", 1, 100, at), entry("utc", "c-3", 1, 100, at))
    known = await places(queries)
    june_30 = date(2026, 6, 30)

    sums = await queries.sums_by_type(criteria.entries_within(None, known, june_30, june_30))
    openings = await queries.sums_before(criteria.entries_before(None, known, june_30))
    rows = movement_rows(openings, sums, {loc: known.name(loc) for loc in ("east", "west", "utc")})

    # Kiritimati's entry is on its 1 July, after the range: no row; Baker's was on its 29 June.
    assert {r["location_id"]: (r["location_name"], r["opening_minor"], r["payment_minor"]) for r in rows} == {
        "west": ("Baker", 100, 0), "utc": (None, 0, 100)}
