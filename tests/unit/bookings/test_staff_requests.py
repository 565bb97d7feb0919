from datetime import datetime, timezone

from services.bookings.domain.requests import booking_requested, move_requested
from shared.contract.staff_api import BookingRequest

NOW = datetime(2025, 3, 1, tzinfo=timezone.utc)
REQUEST = BookingRequest(client_id="c-1", session_id="s-1", session_name="Yoga",
                         session_starts_at=datetime(2025, 3, 8, 10, tzinfo=timezone.utc))


def test_a_repeated_command_books_the_same_booking_under_the_same_event_id():
    first = booking_requested("loc-1", REQUEST, "cmd-1", NOW)
    again = booking_requested("loc-1", REQUEST, "cmd-1", NOW)

    assert (first.booking_id, first.event_id) == (again.booking_id, again.event_id)
    assert first.booking_id != booking_requested("loc-1", REQUEST, "cmd-2", NOW).booking_id


def test_a_late_cancel_request_becomes_a_late_cancellation():
    event = move_requested("cancel", "loc-1", "c-1", "b-1", "cmd-1", NOW, late=True)

    assert (event.type, event.late) == ("booking.cancelled", True)


def test_attend_and_no_show_requests_become_their_facts():
    assert move_requested("attend", "loc-1", "c-1", "b-1", "cmd-1", NOW).type == "booking.attended"
    assert move_requested("no-show", "loc-1", "c-1", "b-1", "cmd-1", NOW).type == "booking.no_show"
