"""The contract models accept what the contract says and refuse the rest."""

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.contract.bookings import BookingEvent
from shared.contract.sales import SalesEvent
from tests.support import events as ev

sales = TypeAdapter(SalesEvent)
bookings = TypeAdapter(BookingEvent)


def test_a_package_purchase_round_trips():
    event = sales.validate_python(ev.package_purchased("loc-1", "c-1", "p-1", credits=12))

    assert (event.credits, event.expires_on.isoformat()) == (12, "2027-12-31")


@pytest.mark.parametrize("change", [
    {"credits": 0}, {"credits": -5}, {"package_id": "has space"}, {"package_id": "x" * 65},
    {"expires_on": "2025-01-01"}, {"occurred_at": "2026-01-01T00:00:00"}, {"type": "package.stolen"},
    {"unexpected": 1},
], ids=["zero", "negative", "bad-id", "long-id", "expires-before-start", "naive-instant", "unknown-type", "extra"])
def test_a_bad_package_purchase_is_refused(change):
    with pytest.raises(ValidationError):
        sales.validate_python({**ev.package_purchased("loc-1", "c-1", "p-1"), **change})


def test_money_is_integer_minor_units_in_a_known_currency():
    ok = sales.validate_python(ev.account_transaction("l", "c", "payment", 1250))

    assert ok.amount_minor == 1250
    with pytest.raises(ValidationError):
        sales.validate_python({**ev.account_transaction("l", "c", "payment", 1250), "currency": "ABC"})
    with pytest.raises(ValidationError):
        sales.validate_python({**ev.account_transaction("l", "c", "payment", 1250), "amount_minor": 12.5})


def test_a_session_start_must_carry_an_offset():
    event = ev.booking_created("l", "c", "b", "2026-12-01T09:00:00")

    with pytest.raises(ValidationError):
        bookings.validate_python(event)
