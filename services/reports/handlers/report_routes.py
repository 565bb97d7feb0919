"""Staff list reports: thin routes that parse, build the filter, and answer through `responses`."""

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request

from services.reports import criteria
from services.reports.domain import movements, reports
from services.reports.domain.errors import InvalidParameter
from services.reports.domain.ordering import parse_sort
from services.reports.handlers.listing import Listing, listing, today
from services.reports.handlers.responses import from_database, from_memory, guarded, stores
from shared.contract.types import MAX_MINOR

CSV_TOO = {200: {"description": "JSON `{items, next_cursor, as_of}`, or with `format=csv` every matching row as CSV",
                "content": {"text/csv": {"schema": {"type": "string"}}}}}
router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=CSV_TOO)


async def _list(request: Request, spec: reports.ReportSpec, collection: str, filters: dict, params: Listing,
                segments: dict | None = None):
    order = parse_sort(params.sort, spec)
    found = criteria.all_of(criteria.matching(params.q), filters)  # the locations are queried one by one
    return await from_database(request, spec, collection, found, order, params, segments)


def _ordered(field: str, start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InvalidParameter(field, "must not be before the start of the range")


@router.get("/clients-with-account-credit", response_model=None)
async def clients_with_account_credit(
    request: Request,
    params: Listing = Depends(listing),
    min_balance_minor: int | None = Query(None, ge=1, le=MAX_MINOR),
    joined_from: date | None = None,
    joined_to: date | None = None,
):
    """One row per (location, client) with unexpired account credit > 0."""
    async def answer():
        _ordered("joined_to", joined_from, joined_to)
        filters = criteria.with_credit(min_balance_minor, joined_from, joined_to)
        return await _list(request, reports.CLIENTS_WITH_CREDIT, "accounts", filters, params)

    return await guarded(answer())


@router.get("/session-credits-remaining", response_model=None)
async def session_credits_remaining(
    request: Request,
    params: Listing = Depends(listing),
    start: date | None = Query(None, alias="from", description="Packages valid at any time from this day"),
    end: date | None = Query(None, alias="to", description="... to this day"),
    expiring_within_days: int | None = Query(None, ge=0, le=3660),
    include_expired: bool = False,
):
    """One row per package; credits used counts booked and used, remaining is real-time."""
    async def answer():
        _ordered("to", start, end)
        day = today(request)
        filters = criteria.packages_valid(start, end, expiring_within_days, include_expired, day)
        segments = {"status": criteria.status_segments(day)}
        return await _list(request, reports.SESSION_CREDITS, "packages", filters, params, segments)

    return await guarded(answer())


@router.get("/account-balances", response_model=None)
async def account_balances(
    request: Request,
    params: Listing = Depends(listing),
    balance: Literal["all", "positive", "negative"] = "all",
):
    """One row per (location, client) account: its balance (negative = owed) and last activity."""
    filters = criteria.with_balance(balance)
    return await guarded(_list(request, reports.ACCOUNT_BALANCES, "accounts", filters, params))


@router.get("/balance-movements", response_model=None)
async def balance_movements(
    request: Request,
    params: Listing = Depends(listing),
    start: date = Query(alias="from", description="First day (UTC), inclusive"),
    end: date = Query(alias="to", description="Last day (UTC), inclusive"),
):
    """One row per (location, currency): opening, each entry type's sum in the range, closing."""
    async def answer():
        if params.q:
            raise InvalidParameter("q", "balance movements have no names, emails or phones to search")
        spec, (opening_at, closing_at) = reports.BALANCE_MOVEMENTS, movements.bounds(start, end)
        order, queries = parse_sort(params.sort, spec), stores(request)[1]
        openings = await queries.sums_before(params.locations, opening_at)
        sums = await queries.sums_by_type(params.locations, opening_at, closing_at)
        return await from_memory(request, spec, movements.movement_rows(openings, sums), order, params)

    return await guarded(answer())
