"""Whether a client can be emailed now, and why not: the staff page shows it beside "Send a message"."""

from fastapi import APIRouter, Depends

from services.notifier.domain.addresses import reachability
from services.notifier.domain.members import member_key
from services.notifier.entrypoints.dependencies import Store
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, admin_only

router = APIRouter(prefix="/v1", tags=["notifier"])


@router.get("/locations/{location_id}/clients/{client_id}/reachability")
async def client_reachability(location_id: Identifier, client_id: Identifier, store: Store,
                              staff: Staff = Depends(admin_only)) -> dict:
    """{reachable, reason}: reason is a sentence (no address on file, not an address, opted out)."""
    staff.require_location(location_id)
    member = await store.member(member_key(location_id, client_id))
    judged = reachability((member or {}).get("profile"))
    return {"reachable": judged.reachable, "reason": judged.reason}
