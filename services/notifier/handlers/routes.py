"""Staff HTTP routes of the notifier (admin): thin edges around Definitions and the store."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request

from services.notifier.domain.conditions import Audience
from services.notifier.domain.errors import InvalidField
from services.notifier.domain.members import full_name
from services.notifier.domain.messages import public_status
from shared.contract.notifier import (AudienceRequest, JourneyRequest, MessageRequest, NewsletterRequest,
                                      TemplateRequest)
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, admin_only
from shared.wiring.http import invalid_field, unprocessable
from shared.wiring.idempotency import idempotent

router = APIRouter(prefix="/v1", tags=["notifier"])


async def _command(request: Request, staff: Staff, key: str | None, body, command, status_code: int = 201):
    state = request.app.state.service.state
    scope, now = f"{staff.id}|{request.url.path}", request.app.state.wiring.clock.now()
    try:
        return await idempotent(state["idempotency"], scope, key, body.model_dump(mode="json"),
                                lambda cid: command(state["definitions"], cid), now, status_code)
    except InvalidField as error:
        return unprocessable(error.field, error.message, "body")


def _require_audience_scope(staff: Staff, audience: Audience | None) -> Audience:
    if audience is None:
        raise HTTPException(404, "no such audience")
    if not audience.location_ids and not staff.whole_brand:
        raise HTTPException(403, "a brand-wide audience needs a token for every location")
    staff.visible(audience.location_ids)
    return audience


@router.post("/audiences", status_code=201)
async def create_audience(body: AudienceRequest, request: Request, staff: Staff = Depends(admin_only),
                          idempotency_key: str | None = Header(None)):
    """An audience kept current from events; members enter and leave as their numbers change."""
    if not body.location_ids and not staff.whole_brand:
        raise HTTPException(403, "a brand-wide audience needs a token for every location")
    staff.visible(body.location_ids or ())
    return await _command(request, staff, idempotency_key, body, lambda d, cid: d.create_audience(body, cid))


@router.get("/audiences/{audience_id}/members")
async def audience_members(audience_id: Identifier, request: Request, staff: Staff = Depends(admin_only)) -> dict:
    state = request.app.state.service.state
    _require_audience_scope(staff, state["definitions"].audience(audience_id))
    docs = await state["store"].audience_members(audience_id)
    items = [_member_view(d, audience_id) for d in docs if staff.may_see(d["location_id"])]
    return {"audience_id": audience_id, "items": sorted(items, key=lambda i: (i["location_id"], i["client_id"]))}


@router.post("/templates", status_code=201)
async def create_template(body: TemplateRequest, request: Request, staff: Staff = Depends(admin_only),
                          idempotency_key: str | None = Header(None)):
    """Merge fields: {{first_name}} {{last_name}} {{full_name}} {{balance}} {{location_id}}; others → 422."""
    return await _command(request, staff, idempotency_key, body, lambda d, cid: d.create_template(body, cid))


@router.get("/templates")
async def list_templates(request: Request, staff: Staff = Depends(admin_only)) -> dict:
    """Every template (for the staff page's message dialog), by name."""
    docs = await request.app.state.service.state["store"].all("templates")
    items = [{"template_id": d["_id"], **{f: d.get(f) for f in ("name", "subject", "body")}} for d in docs]
    return {"items": sorted(items, key=lambda t: (t["name"] or "", t["template_id"]))}


@router.post("/journeys", status_code=201)
async def create_journey(body: JourneyRequest, request: Request, staff: Staff = Depends(admin_only),
                         idempotency_key: str | None = Header(None)):
    """Steps go `after` each entry into the audience; leaving cancels what is pending."""
    _require_audience_scope(staff, await _audience(request, body.audience_id))
    return await _command(request, staff, idempotency_key, body, lambda d, cid: d.create_journey(body, cid))


@router.post("/newsletters", status_code=201)
async def create_newsletter(body: NewsletterRequest, request: Request, staff: Staff = Depends(admin_only),
                            idempotency_key: str | None = Header(None)):
    """Sent at `send_at` to whoever is in the audience at that moment."""
    _require_audience_scope(staff, await _audience(request, body.audience_id))
    return await _command(request, staff, idempotency_key, body, lambda d, cid: d.create_newsletter(body, cid))


@router.post("/messages", status_code=202)
async def queue_message(body: MessageRequest, request: Request, staff: Staff = Depends(admin_only),
                        idempotency_key: str | None = Header(None)):
    """One message to one client → 202 {message_id}; follow it with GET /v1/messages."""
    staff.require_location(body.location_id)
    return await _command(request, staff, idempotency_key, body, lambda d, cid: d.queue_message(body, cid), 202)


@router.get("/messages")
async def client_messages(request: Request, location: Annotated[Identifier, Query()],
                          client_id: Annotated[Identifier, Query()],
                          staff: Staff = Depends(admin_only)) -> dict:
    """A client's message history, newest first: status queued|sent|failed|skipped with the reason."""
    # Annotated[...] keeps Identifier's pattern: with `= Query()` FastAPI drops it, and a NUL
    # in a query parameter reached FerretDB as a 500 (found by schemathesis).
    staff.require_location(location)
    docs = await request.app.state.service.state["store"].client_messages(location, client_id)
    return {"items": [_message_view(d) for d in docs]}


async def _audience(request: Request, audience_id: str) -> Audience:
    definitions = request.app.state.service.state["definitions"]
    if definitions.audience(audience_id) is None:
        await definitions.catalog.reload()
    audience = definitions.audience(audience_id)
    if audience is None:
        raise _unknown_audience(audience_id)
    return audience


def _unknown_audience(audience_id: str) -> HTTPException:
    return invalid_field("audience_id", f"names no audience ({audience_id!r})")


def _member_view(doc: dict, audience_id: str) -> dict:
    state, profile = doc["audiences"][audience_id], doc["profile"]
    return {"location_id": doc["location_id"], "client_id": doc["client_id"], "full_name": full_name(profile),
            "email": profile.get("email"), "balance_minor": doc["balance_minor"], "currency": doc["currency"],
            "entry": state["entry"], "since": state["since"]}


def _message_view(doc: dict) -> dict:
    return {"message_id": doc["_id"], "location_id": doc["location_id"], "client_id": doc["client_id"],
            "template_id": doc["template_id"], "origin": doc["origin"], "origin_id": doc["origin_id"],
            "status": public_status(doc["status"]), "reason": doc["reason"],
            "created_at": doc["created_at"], "updated_at": doc["updated_at"]}
