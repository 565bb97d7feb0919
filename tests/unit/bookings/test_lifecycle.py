from datetime import datetime, timedelta, timezone

import pytest

from services.bookings.domain.aggregate import ClientBookings
from services.bookings.domain.errors import (
    ConflictingDuplicate,
    EventForAnotherClient,
    IllegalTransition,
    UnknownBooking,
)
from tests.unit.bookings.factories import (
    booking_attended,
    booking_cancelled,
    booking_created,
    booking_no_show,
    checkin,
    client_with,
    credit_rejected,
    credit_reserved,
    status,
)

ENDINGS = {
    "cancelled": lambda **kw: booking_cancelled(**kw),
    "late_cancelled": lambda **kw: booking_cancelled(late=True, **kw),
    "attended": lambda **kw: booking_attended(**kw),
    "no_show": lambda **kw: booking_no_show(**kw),
}


def test_a_new_booking_is_pending_and_handed_on_under_a_derived_id():
    bookings = ClientBookings.new("loc-1", "client-1")
    created = booking_created()

    [forwarded] = bookings.handle(created)

    assert status(bookings) == "pending"
    assert forwarded.event_id != created.event_id and len(forwarded.event_id) <= 64
    assert forwarded.model_dump(exclude={"event_id"}) == created.model_dump(exclude={"event_id"})


def test_the_lifecycle_id_is_the_same_on_every_replay():
    created = booking_created()

    first = ClientBookings.new("loc-1", "client-1").handle(created)
    again = ClientBookings.new("loc-1", "client-1").handle(created)

    assert first[0].event_id == again[0].event_id


def test_a_reserved_credit_books_the_booking():
    assert status(client_with(booking_created(), credit_reserved())) == "booked"


def test_a_rejected_credit_rejects_the_booking_with_its_reason():
    view = client_with(booking_created(), credit_rejected(reason="source_expired")).view("b-1")

    assert (view["status"], view["reason"]) == ("rejected", "source_expired")


@pytest.mark.parametrize("outcome", ENDINGS)
def test_each_ending_of_a_booked_booking_is_its_status_and_is_handed_on(outcome):
    bookings = client_with(booking_created(), credit_reserved())
    ending = ENDINGS[outcome]()

    forwarded = bookings.handle(ending)

    assert status(bookings) == outcome
    assert [e.type for e in forwarded] == [ending.type]


def test_exactly_the_same_fact_again_changes_nothing_and_hands_nothing_on():
    created, cancelled = booking_created(), booking_cancelled()
    bookings = client_with(created, credit_reserved(), cancelled)
    before = bookings.to_document()

    assert bookings.handle(created) == [] and bookings.handle(cancelled) == []
    assert bookings.to_document() == before


def test_the_same_booking_under_a_new_event_id_is_a_redelivery():
    bookings = client_with(booking_created())

    assert bookings.handle(booking_created()) == []


def test_a_second_booking_created_with_other_content_is_refused():
    bookings = client_with(booking_created())

    with pytest.raises(ConflictingDuplicate, match="b-1"):
        bookings.handle(booking_created(session_id="pilates"))


def test_attending_a_cancelled_booking_is_refused_and_changes_nothing():
    bookings = client_with(booking_created(), credit_reserved(), booking_cancelled())
    before = bookings.to_document()

    with pytest.raises(IllegalTransition, match="cancelled; it cannot become attended"):
        bookings.handle(booking_attended())
    assert bookings.to_document() == before


def test_cancelling_twice_is_refused():
    bookings = client_with(booking_created(), credit_reserved(), booking_cancelled())

    with pytest.raises(IllegalTransition):
        bookings.handle(booking_cancelled())


def test_the_same_event_id_with_another_ending_is_a_conflicting_duplicate():
    bookings = client_with(booking_created(), credit_reserved(), booking_cancelled(event_id="ev-end"))

    with pytest.raises(ConflictingDuplicate):
        bookings.handle(booking_attended(event_id="ev-end"))


def test_ending_a_rejected_booking_is_refused_with_the_reason():
    bookings = client_with(booking_created(), credit_rejected())

    with pytest.raises(IllegalTransition, match="rejected \\(no_credits\\)"):
        bookings.handle(booking_attended())


@pytest.mark.parametrize("ending", [booking_cancelled, booking_attended, booking_no_show])
def test_an_event_for_a_booking_never_seen_is_refused(ending):
    with pytest.raises(UnknownBooking, match="ghost"):
        client_with().handle(ending(booking_id="ghost"))


def test_an_event_of_another_client_is_refused():
    with pytest.raises(EventForAnotherClient):
        client_with().handle(booking_created(client_id="someone-else"))


def test_a_session_already_past_is_accepted_like_any_other():
    past = datetime.now(timezone.utc) - timedelta(days=400)

    bookings = client_with(booking_created(session_starts_at=past), credit_reserved())

    assert status(bookings) == "booked"


def test_a_checkin_is_recorded_once_and_handed_on():
    bookings = ClientBookings.new("loc-1", "client-1")
    recorded = checkin()

    assert [e.type for e in bookings.handle(recorded)] == ["checkin.recorded"]
    assert bookings.handle(recorded) == []
    with pytest.raises(ConflictingDuplicate):
        bookings.handle(checkin(at=datetime(2025, 1, 1, tzinfo=timezone.utc)))
