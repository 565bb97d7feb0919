"""Staff HTTP routes of the bookings service: book, end a booking, read its status.

Writes publish a booking fact on `studio.bookings.v1` and answer 202: the service's own
consumer judges it like any platform fact, and the read shows the outcome.
"""

from fastapi import APIRouter, Depends, Header, HTTPException, Request

from services.bookings.domain.errors import UnknownBooking
from services.bookings.entrypoints.dependencies import Handlers
from shared.contract.staff_api import BookingRequest, CancelRequest
from shared.contract.types import Identifier
from shared.wiring.auth import Staff, admin_only, any_staff
from shared.wiring.dependencies import Idempotent, IdempotentCommands

router = APIRouter(tags=["bookings"], prefix="/v1/locations/{location_id}/bookings")


async def _accepted(once: IdempotentCommands, request: Request, staff: Staff, key: str | None, body: dict,
                    command):
    return await once.answering(f"{staff.id}|{request.url.path}", key, body, command, not_found=(UnknownBooking,),
                                status_code=202)


@router.post("", status_code=202)
async def create_booking(location_id: Identifier, body: BookingRequest, request: Request,
                         handlers: Handlers, once: Idempotent, staff: Staff = Depends(admin_only),
                         idempotency_key: str | None = Header(None)):
    """Book a client into a session → 202 `{booking_id}`; the status follows the credits decision."""
    staff.require_location(location_id)
    return await _accepted(once, request, staff, idempotency_key, body.model_dump(mode="json"),
                           lambda cid: handlers.request_booking(location_id, body, cid))


@router.post("/{booking_id}/cancel", status_code=202)
async def cancel_booking(location_id: Identifier, booking_id: Identifier, body: CancelRequest, request: Request,
                         handlers: Handlers, once: Idempotent, staff: Staff = Depends(admin_only),
                         idempotency_key: str | None = Header(None)):
    """Cancel a booking (`late` uses the credit, otherwise it is returned)."""
    staff.require_location(location_id)
    return await _accepted(once, request, staff, idempotency_key, body.model_dump(mode="json"),
                           lambda cid: handlers.request_move("cancel", location_id, booking_id, cid, late=body.late))


@router.post("/{booking_id}/attend", status_code=202)
async def attend_booking(location_id: Identifier, booking_id: Identifier, request: Request,
                         handlers: Handlers, once: Idempotent, staff: Staff = Depends(admin_only),
                         idempotency_key: str | None = Header(None)):
    """Record that the client came."""
    staff.require_location(location_id)
    return await _accepted(once, request, staff, idempotency_key, {},
                           lambda cid: handlers.request_move("attend", location_id, booking_id, cid))


@router.post("/{booking_id}/no-show", status_code=202)
async def mark_no_show(location_id: Identifier, booking_id: Identifier, request: Request,
                       handlers: Handlers, once: Idempotent, staff: Staff = Depends(admin_only),
                       idempotency_key: str | None = Header(None)):
    """Record that the client did not come."""
    staff.require_location(location_id)
    return await _accepted(once, request, staff, idempotency_key, {},
                           lambda cid: handlers.request_move("no-show", location_id, booking_id, cid))


@router.get("/{booking_id}")
async def read_booking(location_id: Identifier, booking_id: Identifier, handlers: Handlers,
                       staff: Staff = Depends(any_staff)) -> dict:
    """The booking's status (`pending|booked|rejected|cancelled|late_cancelled|attended|no_show`)
    with the rejection reason; 404 while the service has not seen the booking."""
    staff.require_location(location_id)
    view = await handlers.view(location_id, booking_id)
    if view is None:
        raise HTTPException(404, f"booking {booking_id!r} is unknown")
    return view
