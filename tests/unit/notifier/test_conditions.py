from datetime import UTC, date, datetime

import pytest

from services.notifier.domain.conditions import OWING_BALANCE, Audience, Condition
from services.notifier.domain.members import facts, new_member, with_ledger_entry, with_package
from services.notifier.domain.membership import reevaluate

TODAY = date(2026, 11, 22)
AT = datetime(2026, 11, 22, 9, tzinfo=UTC)


def member(balance: int = 0, packages: tuple = ()) -> dict:
    m = with_ledger_entry(new_member("loc-1", "cli-1"), 1, balance, "USD")
    for p in packages:
        m = with_package(m, p)
    return m


def package(pid: str, remaining: int, expires_on: str | None, version: int = 1) -> dict:
    return {"package_id": pid, "version": version, "remaining": remaining, "expires_on": expires_on}


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("lt", 0, True), ("lte", -500, True), ("gt", -600, True), ("gte", -500, True), ("eq", -500, True),
    ("lt", -500, False), ("gt", 0, False), ("eq", 0, False),
])
def test_each_operator_compares_the_fact_with_the_value(op, value, expected):
    assert Condition("account_balance_minor", op, value).holds({"account_balance_minor": -500}) is expected


def test_a_missing_fact_never_meets_a_condition():
    assert not Condition("credits_expiring_within_days", "lte", 30).holds({"credits_expiring_within_days": None})


def test_owing_balance_admits_only_negative_balances():
    assert OWING_BALANCE.admits("any", facts(member(-1), TODAY))
    assert not OWING_BALANCE.admits("any", facts(member(0), TODAY))


def test_an_audience_for_some_locations_ignores_the_others():
    audience = Audience("a", "a", Condition("account_balance_minor", "lt", 0), frozenset({"loc-2"}))
    assert not audience.admits("loc-1", {"account_balance_minor": -1})
    assert audience.admits("loc-2", {"account_balance_minor": -1})


def test_session_credits_remaining_sums_unexpired_packages():
    m = member(packages=(package("p1", 3, "2027-01-01"), package("p2", 2, None), package("old", 5, "2026-11-01")))
    assert facts(m, TODAY)["session_credits_remaining"] == 5


def test_credits_expiring_within_days_is_the_nearest_expiry_with_credits_left():
    m = member(packages=(package("p1", 3, "2026-12-02"), package("p2", 0, "2026-11-25"), package("p3", 1, None)))
    assert facts(m, TODAY)["credits_expiring_within_days"] == 10


def test_an_older_package_snapshot_or_ledger_entry_changes_nothing():
    m = member(-500, packages=(package("p1", 3, None, version=4),))
    assert with_package(m, package("p1", 9, None, version=3)) == m
    assert with_ledger_entry(m, 1, 100, "USD") == m


def test_entering_and_leaving_numbers_the_entries():
    first, changes = reevaluate(member(-100), [OWING_BALANCE], TODAY, AT)
    paid, left = reevaluate(with_ledger_entry(first, 2, 0, "USD"), [OWING_BALANCE], TODAY, AT)
    again, reentered = reevaluate(with_ledger_entry(paid, 3, -50, "USD"), [OWING_BALANCE], TODAY, AT)

    assert [(c.entered, c.entry) for c in changes + left + reentered] == [(True, 1), (False, 1), (True, 2)]
    assert again["audiences"]["owing-balance"]["entry"] == 2


def test_no_change_in_membership_means_no_transition():
    first, _ = reevaluate(member(-100), [OWING_BALANCE], TODAY, AT)
    _, changes = reevaluate(with_ledger_entry(first, 2, -300, "USD"), [OWING_BALANCE], TODAY, AT)
    assert changes == []
