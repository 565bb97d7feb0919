"""Staff HTTP routes of the reports service."""

from fastapi import APIRouter, Depends

from services.reports.domain.credits import memberships_view, package_categories
from services.reports.entrypoints.dependencies import Reads
from services.reports.entrypoints.responses import places_now
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, any_staff

router = APIRouter(tags=["reports"])


@router.get("/v1/locations/{location_id}/clients/{client_id}/credits")
async def client_credits(
    location_id: Identifier, client_id: Identifier, reads: Reads, staff: Staff = Depends(any_staff)
) -> dict:
    """A client's packages (available / booked / used) and membership periods (used / max), judged
    on the location's own today."""
    staff.require_location(location_id)
    store, places = reads.store, await places_now(reads)
    today = places.today(location_id)
    packages = [package_categories(row, places.now, today) for row in await store.client_packages(location_id, client_id)]
    periods = await store.client_periods(location_id, client_id)
    memberships = await store.client_memberships(location_id, client_id)
    return {"location_id": location_id, "location_name": places.name(location_id), "client_id": client_id,
            "packages": packages, "memberships": memberships_view(periods, memberships, today),
            "as_of": await store.as_of()}
