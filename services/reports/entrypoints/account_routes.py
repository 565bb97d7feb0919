"""A client's account history at a location, newest first."""

from fastapi import APIRouter, Depends, Query

from services.reports.domain.accounts import history_cursor, history_item, sequence_after
from services.reports.entrypoints.dependencies import Reads
from services.reports.entrypoints.responses import guarded
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, any_staff

router = APIRouter(tags=["reports"])


@router.get("/v1/locations/{location_id}/clients/{client_id}/account/history", response_model=None)
async def account_history(
    location_id: Identifier, client_id: Identifier, reads: Reads, staff: Staff = Depends(any_staff),
    limit: int = Query(50, ge=1, le=500), cursor: str | None = Query(None, max_length=2000),
):
    """Ledger entries newest first: at, amount_minor, balance_after_minor, currency, type, note, actor."""
    staff.require_location(location_id)

    async def answer():
        before = sequence_after(cursor) if cursor else None
        store, queries = reads.store, reads.queries
        found = await queries.history(location_id, client_id, before, limit)
        page = found[:limit]
        return {"location_id": location_id, "client_id": client_id, "items": [history_item(e) for e in page],
                "next_cursor": history_cursor(page[-1]) if len(found) > limit else None, "as_of": await store.as_of()}

    return await guarded(answer())
