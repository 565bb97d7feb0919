"""Staff list reports: thin routes that parse, build the filter, and answer through `responses`."""

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query

from services.reports.adapters import criteria
from services.reports.domain import movements, reports
from services.reports.domain.errors import InvalidParameter
from services.reports.domain.ordering import parse_sort
from services.reports.domain.locations import Places
from services.reports.entrypoints.dependencies import Reading, Reads
from services.reports.entrypoints.listing import Listing, listing
from services.reports.entrypoints.responses import from_database, from_memory, guarded, places_now
from shared.contract.types import MAX_MINOR

CSV_TOO = {200: {"description": "JSON `{items, next_cursor, as_of}`, or with `format=csv` every matching row as CSV",
                "content": {"text/csv": {"schema": {"type": "string"}}}}}
router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=CSV_TOO)


async def _list(reads: Reading, spec: reports.ReportSpec, collection: str, filters: dict, params: Listing,
                places: Places, segments: dict | None = None):
    order = parse_sort(params.sort, spec)
    found = criteria.all_of(criteria.matching(params.q), filters)  # the locations are queried one by one
    by_name = {"location_name": criteria.name_segments(params.locations, places)}
    return await from_database(reads, spec, collection, found, order, params, places, {**by_name, **(segments or {})})


def _ordered(field: str, start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InvalidParameter(field, "must not be before the start of the range")


@router.get("/clients-with-account-credit", response_model=None)
async def clients_with_account_credit(
    reads: Reads,
    params: Listing = Depends(listing),
    min_balance_minor: int | None = Query(None, ge=1, le=MAX_MINOR),
    joined_from: date | None = None,
    joined_to: date | None = None,
):
    """One row per (location, client) with unexpired account credit > 0."""
    async def answer():
        _ordered("joined_to", joined_from, joined_to)
        filters = criteria.with_credit(min_balance_minor, joined_from, joined_to)
        return await _list(reads, reports.CLIENTS_WITH_CREDIT, "accounts", filters, params, await places_now(reads))

    return await guarded(answer())


@router.get("/session-credits-remaining", response_model=None)
async def session_credits_remaining(
    reads: Reads,
    params: Listing = Depends(listing),
    start: date | None = Query(None, alias="from", description="Packages valid at any time from this day"),
    end: date | None = Query(None, alias="to", description="... to this day"),
    expiring_within_days: int | None = Query(None, ge=0, le=3660,
                                             description="Expiring from the location's today to this many days on"),
    include_expired: bool = False,
):
    """One row per package; credits used counts booked and used, remaining is real-time. Today,
    `status` and `expiring_within_days` are judged in each location's own day."""
    async def answer():
        _ordered("to", start, end)
        places, where = await places_now(reads), params.locations
        filters = criteria.packages_valid(start, end, expiring_within_days, include_expired, where, places)
        segments = {"status": criteria.status_segments(where, places)}
        return await _list(reads, reports.SESSION_CREDITS, "packages", filters, params, places, segments)

    return await guarded(answer())


@router.get("/account-balances", response_model=None)
async def account_balances(
    reads: Reads,
    params: Listing = Depends(listing),
    balance: Literal["all", "positive", "negative"] = "all",
):
    """One row per (location, client) account: its balance (negative = owed) and last activity."""
    async def answer():
        filters = criteria.with_balance(balance)
        return await _list(reads, reports.ACCOUNT_BALANCES, "accounts", filters, params, await places_now(reads))

    return await guarded(answer())


@router.get("/balance-movements", response_model=None)
async def balance_movements(
    reads: Reads,
    params: Listing = Depends(listing),
    start: date = Query(alias="from", description="First day, inclusive: each location's own day"),
    end: date = Query(alias="to", description="Last day, inclusive: each location's own day"),
):
    """One row per (location, currency): opening, each entry type's sum in the range, closing. The
    range's days are each location's local days (UTC while its zone is not known)."""
    async def answer():
        if params.q:
            raise InvalidParameter("q", "balance movements have no names, emails or phones to search")
        movements.bounds(start, end)  # 422 naming `to` when the range is reversed
        spec, queries = reports.BALANCE_MOVEMENTS, reads.queries
        order = parse_sort(params.sort, spec)
        places = await places_now(reads)

        async def ledger_sums(locations: list[str] | None) -> tuple[dict, dict]:
            return (await queries.sums_before(criteria.entries_before(locations, places, start)),
                    await queries.sums_by_type(criteria.entries_within(locations, places, start, end)))

        scope = params.locations if params.locations is not None else await queries.known_locations()
        parts = await queries.each_location(scope, ledger_sums) if scope else [await ledger_sums(None)]
        openings = {key: total for part, _ in parts for key, total in part.items()}
        sums = {key: total for _, part in parts for key, total in part.items()}
        names = {location: places.name(location) for location, _ in openings} | \
            {location: places.name(location) for location, _, _ in sums}
        return await from_memory(reads, spec, movements.movement_rows(openings, sums, names), order, params)

    return await guarded(answer())
