from datetime import date

import pytest

from services.credits.domain.errors import ConflictingDuplicate, CurrencyMismatch
from tests.unit.credits.factories import NOW, at, client_with, transaction, types_of


def entry_of(events):
    [entry] = [e for e in events if e.type == "account.entry_recorded"]
    return entry


def test_an_account_without_entries_has_no_currency():
    assert client_with().balance() == {"balance_minor": 0, "currency": None}


def test_each_transaction_is_an_entry_with_its_type_sequence_and_balance():
    credits = client_with()
    kinds = [("payment", 5000, "Payment"), ("charge", -2000, "Charge"), ("refund", -500, "Refund"), ("credit", 700, "Credit")]

    entries = [entry_of(credits.handle(transaction(f"tx-{k}", k, amount), NOW)) for k, amount, _ in kinds]

    assert [(e.entry_type, e.sequence) for e in entries] == [(t, n) for n, (_, _, t) in enumerate(kinds, 1)]
    assert [e.balance_after_minor for e in entries] == [5000, 3000, 2500, 3200]
    assert entries[0].actor is None and entries[0].at == NOW
    assert credits.balance() == {"balance_minor": 3200, "currency": "EUR"}


def test_a_charge_beyond_the_credit_leaves_the_client_owing():
    credits = client_with(transaction("tx-1", "payment", 1000))

    entry = entry_of(credits.handle(transaction("tx-2", "charge", -2500), NOW))

    assert (entry.balance_after_minor, entry.credit_balance_minor) == (-1500, 0)


def test_a_payment_first_pays_off_what_is_owed_and_the_rest_becomes_credit():
    credits = client_with(transaction("tx-1", "charge", -3000))

    entry = entry_of(credits.handle(transaction("tx-2", "payment", 5000), NOW))

    assert (entry.balance_after_minor, entry.credit_balance_minor) == (2000, 2000)
    assert credits.next_credit_expiry() is None


def test_a_credit_paying_off_debt_leaves_nothing_to_expire():
    credits = client_with(transaction("tx-1", "charge", -3000),
                          transaction("tx-2", "credit", 1000, credit_expires_on=date(2025, 3, 31)))

    assert credits.next_credit_expiry() is None
    assert credits.expire_credit(at(2025, 5, 1)) == []
    assert credits.balance()["balance_minor"] == -2000


def test_charges_draw_from_the_earliest_expiring_credit_first():
    credits = client_with(
        transaction("tx-never", "payment", 1000),
        transaction("tx-june", "credit", 1000, credit_expires_on=date(2025, 6, 30)),
        transaction("tx-april", "credit", 1000, credit_expires_on=date(2025, 4, 30)),
        transaction("tx-charge", "charge", -1500),
    )

    assert credits.expire_credit(at(2025, 5, 1)) == []
    [expired] = credits.expire_credit(at(2025, 7, 1))

    assert (expired.entry_type, expired.amount_minor, expired.balance_after_minor, expired.credit_balance_minor) == (
        "Credit Expired", -500, 1000, 1000)


def test_credit_expires_at_the_end_of_its_last_day_with_what_is_left_of_it():
    credits = client_with(
        transaction("tx-1", "credit", 2000, credit_expires_on=date(2025, 3, 31)),
        transaction("tx-2", "charge", -800),
    )

    assert credits.next_credit_expiry() == at(2025, 4, 1, 0)
    assert credits.expire_credit(at(2025, 3, 31, 23)) == []
    [expired] = credits.expire_credit(at(2025, 4, 3))

    assert (expired.amount_minor, expired.balance_after_minor, expired.credit_balance_minor, expired.sequence) == (
        -1200, 0, 0, 3)
    assert expired.at == expired.occurred_at == at(2025, 4, 1, 0)
    assert credits.next_credit_expiry() is None
    assert credits.expire_credit(at(2025, 4, 4)) == []


def test_a_credit_already_past_its_expiry_expires_at_once():
    credits = client_with(transaction("tx-0", "payment", 300))

    events = credits.handle(transaction("tx-1", "credit", 1000, credit_expires_on=date(2025, 2, 1)), NOW)

    assert [(e.entry_type, e.amount_minor, e.balance_after_minor) for e in events] == [
        ("Credit", 1000, 1300), ("Credit Expired", -1000, 300)]
    assert events[1].at == NOW


def test_a_charge_made_after_a_credit_expired_cannot_use_it():
    credits = client_with(transaction("tx-1", "credit", 1000, credit_expires_on=date(2025, 3, 31)))

    events = credits.handle(transaction("tx-2", "charge", -400, occurred_at=at(2025, 4, 2)), at(2025, 4, 2))

    assert [(e.entry_type, e.balance_after_minor) for e in events] == [("Credit Expired", 0), ("Charge", -400)]


def test_a_late_arriving_charge_made_before_the_expiry_still_uses_the_credit():
    credits = client_with(transaction("tx-1", "credit", 1000, credit_expires_on=date(2025, 3, 31)))

    events = credits.handle(transaction("tx-2", "charge", -400, occurred_at=at(2025, 3, 20)), at(2025, 4, 2))

    assert [(e.entry_type, e.amount_minor, e.balance_after_minor) for e in events] == [
        ("Charge", -400, 600), ("Credit Expired", -600, 0)]


def test_a_transaction_in_another_currency_is_refused():
    credits = client_with(transaction("tx-1", "payment", 1000, currency="EUR"))

    with pytest.raises(CurrencyMismatch, match="EUR.*USD"):
        credits.handle(transaction("tx-2", "payment", 1000, currency="USD"), NOW)


def test_a_repeated_transaction_records_nothing_even_with_a_new_event_id():
    credits = client_with(transaction("tx-1", "payment", 1000))

    assert credits.handle(transaction("tx-1", "payment", 1000), NOW) == []
    assert credits.balance()["balance_minor"] == 1000


def test_a_transaction_id_reused_for_another_amount_is_a_conflicting_duplicate():
    credits = client_with(transaction("tx-1", "payment", 1000))

    with pytest.raises(ConflictingDuplicate):
        credits.handle(transaction("tx-1", "payment", 2000), NOW)


def test_only_account_entries_are_announced_for_money():
    events = client_with().handle(transaction("tx-1", "payment", 1000), NOW)

    assert types_of(events) == ["account.entry_recorded"]
