"""Staff HTTP routes of the reports service."""

from datetime import UTC

from fastapi import APIRouter, Depends, Request

from services.reports.domain.credits import memberships_view, package_categories
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, any_staff

router = APIRouter(tags=["reports"])


@router.get("/v1/locations/{location_id}/clients/{client_id}/credits")
async def client_credits(
    location_id: Identifier, client_id: Identifier, request: Request, staff: Staff = Depends(any_staff)
) -> dict:
    """A client's packages (available / booked / used) and membership periods (used / max)."""
    staff.require_location(location_id)
    store, now = request.app.state.service.state["store"], request.app.state.wiring.clock.now()
    packages = [package_categories(row, now) for row in await store.client_packages(location_id, client_id)]
    periods = await store.client_periods(location_id, client_id)
    memberships = await store.client_memberships(location_id, client_id)
    return {"location_id": location_id, "client_id": client_id, "packages": packages,
            "memberships": memberships_view(periods, memberships, now.astimezone(UTC).date()),
            "as_of": await store.as_of()}
