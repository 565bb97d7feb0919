"""What staff read of a booking: its status derived from the lifecycle and the credit answer."""

from typing import Any

from services.bookings.domain.state import Booking, CreditAnswer


def status_of(booking: Booking, answer: CreditAnswer | None) -> str:
    """pending until the credits service answers; then rejected, booked, or how it ended."""
    if answer is None:
        return "pending"
    if answer.outcome == "rejected":
        return "rejected"
    return booking.closing.outcome if booking.closing else "booked"


def booking_view(location_id: str, client_id: str, booking: Booking, answer: CreditAnswer | None) -> dict[str, Any]:
    rejected = answer is not None and answer.outcome == "rejected"
    return {
        "booking_id": booking.booking_id,
        "location_id": location_id,
        "client_id": client_id,
        "session_id": booking.session_id,
        "session_name": booking.session_name,
        "session_starts_at": booking.session_starts_at.isoformat(),
        "credit_source": booking.credit_source.model_dump() if booking.credit_source else None,
        "status": status_of(booking, answer),
        "reason": answer.reason if rejected else None,
        "detail": answer.detail if rejected else None,
    }
