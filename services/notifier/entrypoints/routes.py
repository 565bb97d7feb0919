"""Staff HTTP routes of the notifier (admin): thin edges around Definitions and the store."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError

from services.notifier.domain import templates
from services.notifier.domain.conditions import Audience
from services.notifier.domain.errors import InvalidField, UnknownReference
from services.notifier.domain.paging import BadCursor, decode_cursor, overlaps
from services.notifier.service_layer.definitions import Definitions
from services.notifier.entrypoints.dependencies import Commands, Store, Views
from shared.contract.notifier import (AudienceRequest, JourneyRequest, MessageRequest, NewsletterRequest,
                                      TemplateRequest)
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, admin_only
from shared.wiring.dependencies import Idempotent, IdempotentCommands
from shared.wiring.http import invalid_field, unprocessable

router = APIRouter(prefix="/v1", tags=["notifier"])


async def _command(once: IdempotentCommands, request: Request, staff: Staff, key: str | None, body, command,
                   status_code: int = 201):
    scope = f"{staff.id}|{request.url.path}"
    try:
        return await once(scope, key, body.model_dump(mode="json"), command, status_code)
    except InvalidField as error:
        return unprocessable(error.field, error.message, "body")


def _staff_locations(staff: Staff) -> frozenset[str] | None:
    return None if staff.whole_brand else staff.locations


def _wanted(staff: Staff, location: list[str]) -> frozenset[str] | None:
    """The locations a read asks for (each must be allowed, else 403); default: the token's."""
    return frozenset(staff.visible(location)) if location else _staff_locations(staff)


def _require_audience_scope(staff: Staff, audience: Audience | None) -> Audience:
    """An admin of some locations uses any audience that reaches them, within them (contract)."""
    if audience is None:
        raise HTTPException(404, "no such audience")
    if not overlaps(_staff_locations(staff), audience.location_ids):
        raise HTTPException(403, "this token allows none of the audience's locations")
    return audience


def _creation_scope(staff: Staff, location_ids: list[str] | None) -> list[str] | None:
    """Where a journey or newsletter runs: the given locations (each allowed), else the token's."""
    if location_ids:
        return sorted(staff.visible(location_ids))
    return None if staff.whole_brand else sorted(staff.locations)


def _cursor(token: str | None, kinds: tuple[type, ...]) -> tuple | None:
    try:
        return decode_cursor(token, kinds)
    except BadCursor as error:
        raise RequestValidationError([{"loc": ("query", "cursor"), "msg": str(error), "type": "value_error"}]) from None


Locations = Annotated[list[Identifier], Query(description="Repeatable; default: every location the token allows")]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=2000, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post("/audiences", status_code=201)
async def create_audience(body: AudienceRequest, request: Request, definitions: Commands, once: Idempotent,
                          staff: Staff = Depends(admin_only), idempotency_key: str | None = Header(None)):
    """An audience kept current from events; members enter and leave as their numbers change."""
    if not body.location_ids and not staff.whole_brand:
        raise HTTPException(403, "a brand-wide audience needs a token for every location")
    staff.visible(body.location_ids or ())
    return await _command(once, request, staff, idempotency_key, body,
                          lambda cid: definitions.create_audience(body, cid))


@router.get("/audiences")
async def list_audiences(views: Views, location: Locations = [], staff: Staff = Depends(admin_only)) -> dict:
    """Audiences this token may use (the built-in owing-balance first), with their members per
    location, counted within the asked (default: allowed) locations."""
    wanted = _wanted(staff, location)
    return {"items": views.audiences(_staff_locations(staff), wanted)}


@router.get("/audiences/{audience_id}/members")
async def audience_members(audience_id: Identifier, views: Views, definitions: Commands, location: Locations = [],
                           limit: Limit = 50, cursor: Cursor = None, staff: Staff = Depends(admin_only)) -> dict:
    """Members by location then client → `{audience_id, items, next_cursor}`; a brand-wide audience
    used by an admin of some locations lists only their members."""
    wanted = _wanted(staff, location)
    audience = _require_audience_scope(staff, await _audience_or_none(definitions, audience_id))
    return views.members(audience, wanted, _cursor(cursor, (str, str)), limit)


@router.get("/journeys")
async def list_journeys(views: Views, location: Locations = [], staff: Staff = Depends(admin_only)) -> dict:
    """Journeys reaching the token's (or the asked) locations, with their steps' template names."""
    wanted = _wanted(staff, location)
    return {"items": await views.journeys(wanted)}


@router.get("/journeys/{journey_id}/entries")
async def journey_entries(journey_id: Identifier, store: Store, views: Views, location: Locations = [],
                          limit: Limit = 50, cursor: Cursor = None, staff: Staff = Depends(admin_only)) -> dict:
    """Who entered the journey (by location, client, entry) and each step's status →
    `{journey_id, items, next_cursor}`, within the token's (or the asked) locations."""
    wanted = _wanted(staff, location)
    journey = await store.get("journeys", journey_id)
    if journey is None:
        raise HTTPException(404, "no such journey")
    if not overlaps(_staff_locations(staff), *views.scopes_of(journey)):
        raise HTTPException(403, "this token allows none of the journey's locations")
    return await views.entries(journey, wanted, _cursor(cursor, (str, str, int)), limit)


@router.get("/newsletters")
async def list_newsletters(views: Views, location: Locations = [], staff: Staff = Depends(admin_only)) -> dict:
    """Newsletters reaching the token's (or the asked) locations, newest first, with how many of
    their messages are queued, sent, failed and skipped there."""
    wanted = _wanted(staff, location)
    return {"items": await views.newsletters(wanted)}


@router.post("/templates", status_code=201)
async def create_template(body: TemplateRequest, request: Request, definitions: Commands, once: Idempotent,
                          staff: Staff = Depends(admin_only), idempotency_key: str | None = Header(None)):
    """Merge fields: {{first_name}} {{last_name}} {{full_name}} {{balance}} {{location_id}}; others → 422."""
    return await _command(once, request, staff, idempotency_key, body,
                          lambda cid: definitions.create_template(body, cid))


@router.get("/templates/merge-fields")
async def merge_fields(staff: Staff = Depends(admin_only)) -> dict:
    """What a template or a free-text message may use: `{items: [{name, label, placeholder}]}`."""
    return {"items": templates.merge_field_list()}


@router.get("/templates")
async def list_templates(store: Store, staff: Staff = Depends(admin_only)) -> dict:
    """Every template (for the staff page's message dialog), by name."""
    docs = await store.all("templates")
    items = [{"template_id": d["_id"], **{f: d.get(f) for f in ("name", "subject", "body")}} for d in docs]
    return {"items": sorted(items, key=lambda t: (t["name"] or "", t["template_id"]))}


@router.post("/journeys", status_code=201)
async def create_journey(body: JourneyRequest, request: Request, definitions: Commands, once: Idempotent,
                         staff: Staff = Depends(admin_only), idempotency_key: str | None = Header(None)):
    """Steps go `after` each entry into the audience; leaving cancels what is pending."""
    _require_audience_scope(staff, await _audience(definitions, body.audience_id))
    body = body.model_copy(update={"location_ids": _creation_scope(staff, body.location_ids)})
    return await _command(once, request, staff, idempotency_key, body,
                          lambda cid: definitions.create_journey(body, cid))


@router.post("/newsletters", status_code=201)
async def create_newsletter(body: NewsletterRequest, request: Request, definitions: Commands, once: Idempotent,
                            staff: Staff = Depends(admin_only), idempotency_key: str | None = Header(None)):
    """Sent at `send_at` to whoever is in the audience at that moment."""
    _require_audience_scope(staff, await _audience(definitions, body.audience_id))
    body = body.model_copy(update={"location_ids": _creation_scope(staff, body.location_ids)})
    return await _command(once, request, staff, idempotency_key, body,
                          lambda cid: definitions.create_newsletter(body, cid))


@router.post("/messages", status_code=202)
async def queue_message(body: MessageRequest, request: Request, definitions: Commands, once: Idempotent,
                        staff: Staff = Depends(admin_only), idempotency_key: str | None = Header(None)):
    """One message to one client → 202 {message_id}; follow it with GET /v1/messages."""
    staff.require_location(body.location_id)
    return await _command(once, request, staff, idempotency_key, body,
                          lambda cid: definitions.queue_message(body, cid), 202)


@router.post("/messages/preview")
async def preview_message(body: MessageRequest, definitions: Commands, staff: Staff = Depends(admin_only)):
    """The same body as POST /v1/messages → `{subject, body, to}` rendered with the client's
    current values (plain substitution, nothing evaluated); nothing is sent or stored."""
    staff.require_location(body.location_id)
    try:
        return await definitions.preview(body)
    except UnknownReference as error:
        if error.field == "client_id":
            raise HTTPException(404, f"no client {body.client_id!r} known at {body.location_id!r}") from None
        return unprocessable(error.field, error.message)
    except InvalidField as error:
        return unprocessable(error.field, error.message)


@router.get("/messages")
async def client_messages(store: Store, location: Annotated[Identifier, Query()],
                          client_id: Annotated[Identifier, Query()],
                          staff: Staff = Depends(admin_only)) -> dict:
    """A client's message history, newest first: status queued|sent|failed|skipped with the reason,
    the template's name (null for free text) and the journey's name (`origin_name`, for journeys)."""
    # Annotated[...] keeps Identifier's pattern: with `= Query()` FastAPI drops it, and a NUL
    # in a query parameter reached FerretDB as a 500 (found by schemathesis).
    staff.require_location(location)
    docs = await store.client_messages(location, client_id)
    named = {t["_id"]: t for t in await store.all("templates")} if docs else {}
    journeys = {j["_id"]: j["name"] for j in await store.all("journeys")} if any(
        d["origin"] == "journey" for d in docs) else {}
    return {"items": [{**_message_view(d, named.get(d["template_id"])), "origin_name": journeys.get(d["origin_id"])}
                      for d in docs]}


async def _audience(definitions: Definitions, audience_id: str) -> Audience:
    audience = await _audience_or_none(definitions, audience_id)
    if audience is None:
        raise _unknown_audience(audience_id)
    return audience


async def _audience_or_none(definitions: Definitions, audience_id: str) -> Audience | None:
    if definitions.audience(audience_id) is None:
        await definitions.catalog.reload()  # another instance may have defined it
    return definitions.audience(audience_id)


def _unknown_audience(audience_id: str) -> HTTPException:
    return invalid_field("audience_id", f"names no audience ({audience_id!r})")


def _message_view(doc: dict, template: dict | None) -> dict:
    """`template_name` null for free text; `subject` as written (the template's, or the free text's)."""
    subject = (doc.get("text") or template or {}).get("subject")
    return {"message_id": doc["_id"], "location_id": doc["location_id"], "client_id": doc["client_id"],
            "template_id": doc["template_id"], "template_name": (template or {}).get("name"), "subject": subject,
            "origin": doc["origin"], "origin_id": doc["origin_id"],
            "status": doc["status"], "reason": doc["reason"],
            "created_at": doc["created_at"], "updated_at": doc["updated_at"]}
