"""What the staff web page (`services/reports/entrypoints/staff_page/web/`) needs besides the reports: who is signed in,
which locations they may pick, one client's profile, and where the other services answer."""

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from services.reports.entrypoints.dependencies import Reads
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, any_staff
from shared.wiring.dependencies import ServiceSettings

WEB = Path(__file__).resolve().parent / "web"
PROFILE_FIELDS = ("first_name", "last_name", "full_name", "email", "phone", "join_date")
ACCOUNT_FIELDS = ("balance_minor", "account_credit_balance_minor", "currency", "last_activity_at")

router = APIRouter(tags=["staff page"])


def web_files() -> StaticFiles:
    return StaticFiles(directory=WEB, html=True)


@router.get("/staff", include_in_schema=False)
async def staff_page() -> RedirectResponse:
    return RedirectResponse("/staff/")


@router.get("/staff/config.json", include_in_schema=False)
async def staff_config(request: Request, settings: ServiceSettings) -> dict:
    """The other services' base URLs (CREDITS_URL, NOTIFIER_URL; default: this host, port ∓ 1)."""
    here = f"{request.url.scheme}://{request.url.hostname}"
    return {"credits_url": settings.credits_url or f"{here}:{settings.port - 1}",
            "notifier_url": settings.notifier_url or f"{here}:{settings.port + 1}"}


@router.get("/v1/me")
async def me(reads: Reads, staff: Staff = Depends(any_staff)) -> dict:
    """The token's staff id and role, and the locations it may pick: the token's own, or for a
    whole-brand token (`["*"]`) every location the read models know; `location_names` gives each
    one's name (null until the location is registered)."""
    locations = sorted(staff.locations)
    store, queries = reads.store, reads.queries
    records = await queries.location_records()
    if staff.whole_brand:
        locations = sorted(set(await store.clients.distinct("location_id"))
                           | set(await store.accounts.distinct("location_id")) | set(records))
    names = {location: (records.get(location) or {}).get("name") for location in locations}
    return {"sub": staff.id, "role": staff.role, "whole_brand": staff.whole_brand, "locations": locations,
            "location_names": names}


@router.get("/v1/locations/{location_id}/clients/{client_id}")
async def client_profile(location_id: Identifier, client_id: Identifier, reads: Reads,
                         staff: Staff = Depends(any_staff)) -> dict:
    """A client's profile at a location and their account (balance, credit, currency), if any."""
    staff.require_location(location_id)
    store = reads.store
    key = f"{location_id}|{client_id}"
    profile, account = await store.clients.find_one({"_id": key}), await store.accounts.find_one({"_id": key})
    if profile is None and account is None:
        raise HTTPException(404, "no such client at this location")
    return {"location_id": location_id, "client_id": client_id,
            **{f: (profile or {}).get(f) for f in PROFILE_FIELDS},
            "account": {f: account.get(f) for f in ACCOUNT_FIELDS} if account else None}
