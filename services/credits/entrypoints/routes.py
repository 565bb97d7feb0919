"""Staff HTTP routes of the credits service: the three adjustments of the contract."""

from datetime import date

from fastapi import APIRouter, Depends, Header, Request

from services.credits.domain import errors
from services.credits.entrypoints.dependencies import Handlers
from shared.contract.staff_api import AccountAdjustment, PackageAdjustment, PeriodAdjustment
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, admin_only
from shared.wiring.dependencies import Idempotent, IdempotentCommands

router = APIRouter(tags=["credits"], prefix="/v1/locations/{location_id}/clients/{client_id}")

NOT_FOUND = (errors.UnknownPackage, errors.UnknownMembership, errors.UnknownPeriod)


async def _run(once: IdempotentCommands, request: Request, staff: Staff, key: str | None, body: dict, command):
    return await once.answering(f"{staff.id}|{request.url.path}", key, body, command, not_found=NOT_FOUND)


@router.post("/packages/{package_id}/adjustments")
async def adjust_package(
    location_id: Identifier, client_id: Identifier, package_id: Identifier, body: PackageAdjustment,
    request: Request, handlers: Handlers, once: Idempotent, staff: Staff = Depends(admin_only),
    idempotency_key: str | None = Header(None),
):
    """Add or deduct session credits of one package and/or move its validity (`expires_on: null` =
    never) → the package's state; deducting more than is available → 409."""
    staff.require_location(location_id)
    return await _run(once, request, staff, idempotency_key, body.model_dump(mode="json", exclude_unset=True), lambda cid: handlers.adjust_package(
        location_id, client_id, package_id, action=body.action, credits=body.credits, note=body.note,
        actor=staff.id, command_id=cid, **body.validity()))


@router.post("/memberships/{membership_id}/periods/{period_start}/adjustments")
async def adjust_period(
    location_id: Identifier, client_id: Identifier, membership_id: Identifier, period_start: date,
    body: PeriodAdjustment, request: Request, handlers: Handlers, once: Idempotent,
    staff: Staff = Depends(admin_only), idempotency_key: str | None = Header(None),
):
    """Change one membership period's max and/or move its validity → the period."""
    staff.require_location(location_id)
    return await _run(once, request, staff, idempotency_key, body.model_dump(mode="json"), lambda cid: handlers.adjust_period(
        location_id, client_id, membership_id, period_start, action=body.action, credits=body.credits,
        valid_from=body.valid_from, valid_to=body.valid_to, note=body.note, actor=staff.id, command_id=cid))


@router.post("/account/adjustments")
async def adjust_account(
    location_id: Identifier, client_id: Identifier, body: AccountAdjustment, request: Request,
    handlers: Handlers, once: Idempotent, staff: Staff = Depends(admin_only),
    idempotency_key: str | None = Header(None),
):
    """A manual money adjustment with a required note → the new balance."""
    staff.require_location(location_id)
    return await _run(once, request, staff, idempotency_key, body.model_dump(mode="json"), lambda cid: handlers.adjust_account(
        location_id, client_id, amount_minor=body.amount_minor, currency=body.currency, note=body.note,
        actor=staff.id, command_id=cid))
