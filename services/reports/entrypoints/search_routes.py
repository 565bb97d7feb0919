"""The staff search box: a location's clients whose name, email, phone or client id contains `q`."""

import asyncio

from fastapi import APIRouter, Depends, Query

from services.reports.adapters import criteria
from services.reports.domain.ordering import decode_cursor, encode_cursor, parse_sort
from services.reports.domain.reports import CLIENT_SEARCH
from services.reports.entrypoints.dependencies import Reads
from services.reports.entrypoints.responses import guarded
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, any_staff

router = APIRouter(tags=["reports"])
ORDER = parse_sort(None, CLIENT_SEARCH)  # by name (case-insensitive), ties by client id


@router.get("/v1/locations/{location_id}/clients", response_model=None)
async def search_clients(
    location_id: Identifier, reads: Reads, staff: Staff = Depends(any_staff),
    q: str | None = Query(None, max_length=100, description="Case-insensitive part of the name, email, phone "
                                                              "or client id (literal text)"),
    limit: int = Query(50, ge=1, le=500), cursor: str | None = Query(None, max_length=2000),
):
    """`{items, next_cursor, as_of}`: the location's matching clients by name, with their balance."""
    staff.require_location(location_id)

    async def answer():
        store, queries = reads.store, reads.queries
        after = decode_cursor(cursor, ORDER) if cursor else None
        found, as_of = await asyncio.gather(
            queries.page("clients", [location_id], criteria.matching(q), ORDER, after, limit), store.as_of())
        page = found[:limit]
        balances = await queries.balances(location_id, [row["client_id"] for row in page])
        return {"items": [_item(row, balances.get(row["client_id"], {})) for row in page],
                "next_cursor": encode_cursor(ORDER, page[-1]) if len(found) > limit else None, "as_of": as_of}

    return await guarded(answer())


def _item(profile: dict, account: dict) -> dict:
    """A client with no ledger entry yet has no account row: a balance of 0, no currency yet."""
    row = {name: profile.get(name) for name in CLIENT_SEARCH.columns}
    return {**row, "balance_minor": account.get("balance_minor", 0), "currency": account.get("currency")}
