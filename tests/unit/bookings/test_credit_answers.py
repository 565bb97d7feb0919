import pytest

from services.bookings.domain.aggregate import ClientBookings
from tests.unit.bookings.factories import (
    booking_attended,
    booking_cancelled,
    booking_created,
    client_with,
    credit_rejected,
    credit_reserved,
    package_changed,
    status,
)


def test_an_answer_before_its_booking_is_kept_and_applies_when_the_booking_arrives():
    bookings = client_with(credit_reserved())

    bookings.handle(booking_created())

    assert status(bookings) == "booked"


@pytest.mark.parametrize("answer", [credit_reserved, credit_rejected], ids=["reserved", "rejected"])
def test_both_orders_of_booking_and_answer_end_in_the_same_state(answer):
    created, answered = booking_created(), answer()

    assert client_with(created, answered) == client_with(answered, created)


def test_an_ending_before_the_answer_is_held_back_until_the_credit_is_reserved():
    bookings = client_with(booking_created())

    assert bookings.handle(booking_attended()) == []
    assert status(bookings) == "pending"
    released = bookings.follow(credit_reserved())

    assert [e.type for e in released] == ["booking.attended"]
    assert status(bookings) == "attended"


def test_an_ending_held_back_is_dropped_when_the_booking_is_rejected():
    bookings = client_with(booking_created(), booking_cancelled())

    assert bookings.follow(credit_rejected()) == []
    assert status(bookings) == "rejected"


def test_a_held_ending_is_released_under_the_same_id_it_would_have_had():
    ending = booking_cancelled()
    direct = client_with(booking_created(), credit_reserved()).handle(ending)

    released = client_with(booking_created(), ending).follow(credit_reserved())

    assert [e.event_id for e in released] == [e.event_id for e in direct]


def test_a_redelivered_answer_changes_nothing_and_a_later_contrary_one_is_ignored():
    reserved = credit_reserved()
    bookings = client_with(booking_created(), reserved)
    before = bookings.to_document()

    assert bookings.follow(reserved) == [] and bookings.follow(credit_rejected()) == []
    assert bookings.to_document() == before


def test_credits_events_that_are_not_answers_are_ignored():
    bookings = ClientBookings.new("loc-1", "client-1")

    assert bookings.follow(package_changed()) == []
    assert bookings == ClientBookings.new("loc-1", "client-1")


def test_the_stored_form_round_trips():
    bookings = client_with(booking_created(), booking_cancelled(late=True), credit_reserved())

    assert ClientBookings.from_document(bookings.to_document()) == bookings
