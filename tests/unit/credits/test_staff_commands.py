import pytest

from services.credits.domain.errors import (
    ConflictingDuplicate,
    CurrencyMismatch,
    InsufficientCredits,
    InvalidAdjustment,
    UnknownPackage,
)
from tests.unit.credits.factories import (
    NOW,
    STAFF,
    booking_created,
    client_with,
    package_purchased,
    transaction,
    view_of,
)


def test_adding_credits_to_a_package_raises_its_total_and_availability():
    credits = client_with(package_purchased(credits=12), booking_created())

    [changed] = credits.adjust_package("pkg-1", "add", 3, "birthday", STAFF, "cmd-1", NOW)

    assert (changed.credits_adjusted, changed.total, changed.version) == (3, 15, 3)
    assert (view_of(credits)["total"], view_of(credits)["available"]) == (15, 14)


def test_deducting_credits_lowers_the_total():
    credits = client_with(package_purchased(credits=12))

    credits.adjust_package("pkg-1", "deduct", 2, None, STAFF, "cmd-1", NOW)

    assert (view_of(credits)["total"], view_of(credits)["available"]) == (10, 10)


def test_deducting_more_than_available_is_refused_with_the_numbers_and_changes_nothing():
    credits = client_with(package_purchased(credits=2), booking_created())
    before = credits.to_document()

    with pytest.raises(InsufficientCredits, match="cannot deduct 2 credit.*only 1 available") as refused:
        credits.adjust_package("pkg-1", "deduct", 2, None, STAFF, "cmd-1", NOW)

    assert (refused.value.available, refused.value.requested) == (1, 2)
    assert credits.to_document() == before


def test_adjusting_an_unknown_package_is_refused():
    with pytest.raises(UnknownPackage):
        client_with().adjust_package("nope", "add", 1, None, STAFF, "cmd-1", NOW)


@pytest.mark.parametrize(("action", "amount"), [("add", 0), ("remove", 1), ("deduct", -1)])
def test_a_package_adjustment_needs_a_known_action_and_at_least_one_credit(action, amount):
    with pytest.raises(InvalidAdjustment):
        client_with(package_purchased()).adjust_package("pkg-1", action, amount, None, STAFF, "cmd-1", NOW)


def test_repeating_a_command_changes_nothing_and_announces_nothing():
    credits = client_with(package_purchased(credits=12))
    credits.adjust_package("pkg-1", "add", 3, None, STAFF, "cmd-1", NOW)
    after_first = credits.to_document()

    assert credits.adjust_package("pkg-1", "add", 3, None, STAFF, "cmd-1", NOW) == []
    assert credits.to_document() == after_first


def test_reusing_a_command_id_for_something_else_is_a_conflicting_duplicate():
    credits = client_with(package_purchased(credits=12))
    credits.adjust_package("pkg-1", "add", 3, None, STAFF, "cmd-1", NOW)

    with pytest.raises(ConflictingDuplicate):
        credits.adjust_package("pkg-1", "add", 4, None, STAFF, "cmd-1", NOW)
    with pytest.raises(ConflictingDuplicate):
        credits.adjust_account(500, "EUR", "goodwill", STAFF, "cmd-1", NOW)


def test_an_account_adjustment_is_a_manual_adjustment_by_the_staff_member():
    credits = client_with(transaction("tx-1", "charge", -1000))

    [entry] = credits.adjust_account(1500, "EUR", "goodwill", STAFF, "cmd-1", NOW)

    assert (entry.entry_type, entry.amount_minor, entry.balance_after_minor, entry.credit_balance_minor) == (
        "Manual Adjustment", 1500, 500, 500)
    assert (entry.actor, entry.note, entry.at, entry.sequence) == (STAFF, "goodwill", NOW, 2)
    assert credits.balance() == {"balance_minor": 500, "currency": "EUR"}


@pytest.mark.parametrize(("amount", "note"), [(0, "x"), (100, ""), (100, "   ")])
def test_an_account_adjustment_needs_an_amount_and_a_note(amount, note):
    with pytest.raises(InvalidAdjustment):
        client_with().adjust_account(amount, "EUR", note, STAFF, "cmd-1", NOW)


def test_an_account_adjustment_in_another_currency_is_refused():
    credits = client_with(transaction("tx-1", "payment", 1000))

    with pytest.raises(CurrencyMismatch):
        credits.adjust_account(100, "USD", "goodwill", STAFF, "cmd-1", NOW)
