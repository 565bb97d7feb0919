"""Audience upkeep a batch at a time: events folded in memory, effects in a crash-safe order."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.notifier.domain.conditions import OWING_BALANCE, Audience, Condition
from services.notifier.domain.members import new_member, with_ledger_entry
from services.notifier.domain.upkeep import fold, moved_by_time, time_horizon
from services.notifier.service_layer.catalog import Catalog
from services.notifier.service_layer.members import MEMBER, MemberChanges
from shared.contract.credits import AccountEntryRecorded, CreditReserved
from shared.wiring.clock import ManualClock
from shared.aggregates.memory import InMemoryAggregates

AT = datetime(2026, 11, 22, 9, tzinfo=UTC)
TODAY = AT.date()
EXPIRING = Audience("expiring", "Expiring soon", Condition("credits_expiring_within_days", "lte", 7))


def entry(sequence: int, balance: int, client: str = "cli-1", minutes: int = 0) -> AccountEntryRecorded:
    at = (AT + timedelta(minutes=minutes)).isoformat()
    return AccountEntryRecorded.model_validate({
        "event_id": uuid.uuid4().hex, "occurred_at": at, "location_id": "loc-1", "client_id": client,
        "entry_id": f"e-{sequence}", "sequence": sequence, "entry_type": "Charge", "amount_minor": balance,
        "balance_after_minor": balance, "credit_balance_minor": 0, "currency": "USD", "at": at})


def ledger(sequence: int, balance: int, minutes: int = 0):
    return (lambda mb: with_ledger_entry(mb, sequence, balance, "USD")), AT + timedelta(minutes=minutes)


class FakeLocations:
    """The zones of locations, as a LocationBook answers them; UTC unless told."""

    def __init__(self, zones: dict | None = None) -> None:
        self.zones, self.version = dict(zones or {}), 0

    def zone(self, location_id: str):
        return self.zones.get(location_id, UTC)

    def move(self, location_id: str, zone) -> None:
        self.zones[location_id], self.version = zone, self.version + 1

    async def refresh(self) -> None:
        pass

    async def learn(self, location_ids) -> None:
        pass


class FakeStore:
    """The notifier's journey steps, in memory."""

    def __init__(self) -> None:
        self.steps: dict[str, dict] = {}

    async def insert_all_new(self, collection: str, docs: list[dict]) -> set[str]:
        new = {d["_id"] for d in docs} - set(self.steps)
        self.steps.update({d["_id"]: d for d in docs if d["_id"] in new})
        return new

    async def cancel_steps(self, *args) -> None:
        pass

    async def all(self, collection: str) -> list[dict]:
        return []  # no definition stored by another instance


@pytest.fixture
def upkeep():
    store, members = FakeStore(), InMemoryAggregates(MEMBER)
    return MemberChanges(members, store, Catalog(store), ManualClock(AT), FakeLocations()), members


def balance(members: InMemoryAggregates, key: str) -> int:
    return members.known(key).state["balance_minor"]


def test_every_event_of_a_batch_is_judged_so_entering_and_leaving_both_show():
    events = [ledger(1, -500), ledger(2, 0, minutes=1), ledger(3, -100, minutes=2)]

    folded = fold(new_member("loc-1", "cli-1"), events, [OWING_BALANCE], TODAY)

    assert [(t.entered, t.entry, t.at) for t in folded.transitions] == [
        (True, 1, AT), (False, 1, AT + timedelta(minutes=1)), (True, 2, AT + timedelta(minutes=2))]
    assert folded.member["audiences"]["owing-balance"]["entry"] == 2


def test_a_batch_split_differently_gives_the_same_member_and_transitions():
    events = [ledger(1, -500), ledger(2, 0, minutes=1), ledger(3, -100, minutes=2)]
    whole = fold(new_member("loc-1", "cli-1"), events, [OWING_BALANCE], TODAY)

    first = fold(new_member("loc-1", "cli-1"), events[:1], [OWING_BALANCE], TODAY)
    rest = fold(first.member, events[1:], [OWING_BALANCE], TODAY)

    assert rest.member == whole.member and first.transitions + rest.transitions == whole.transitions


def test_events_that_change_nothing_judge_nothing():
    member = fold(new_member("loc-1", "cli-1"), [ledger(2, -500)], [OWING_BALANCE], TODAY).member

    again = fold(member, [ledger(2, -500), ledger(1, 0)], [OWING_BALANCE], TODAY)

    assert again.member == member and again.transitions == []


async def test_a_batch_stores_each_member_once_with_the_audience_events_it_publishes(upkeep):
    changes, members = upkeep

    await changes.apply_batch([entry(1, -500), entry(2, -700, minutes=1), entry(1, -200, client="cli-2")])

    assert members.commits == 1 and [len(v) for v in members.log.values()] == [1, 1]
    assert [(e["type"], e["client_id"]) for e in members.published] == [("audience.entered", "cli-1"),
                                                                        ("audience.entered", "cli-2")]
    assert balance(members, "loc-1|cli-1") == -700


async def test_a_redelivered_batch_after_a_crash_before_the_commit_publishes_the_same_ids(upkeep):
    changes, members = upkeep
    batch = [entry(1, -500), entry(2, 0, minutes=1)]
    await changes.apply_batch(batch)
    first = [e["event_id"] for e in members.published]
    members.log.clear()  # the commit never happened

    await changes.apply_batch(batch)

    assert [e["event_id"] for e in members.published] == first * 2


async def test_a_redelivered_batch_after_the_commit_stores_and_publishes_nothing(upkeep):
    changes, members = upkeep
    batch = [entry(1, -500), entry(1, -300, client="cli-2")]
    await changes.apply_batch(batch)

    await changes.apply_batch(batch)

    assert len(members.published) == 2 and [len(v) for v in members.log.values()] == [1, 1]


async def test_events_the_notifier_does_not_follow_create_no_member(upkeep):
    changes, members = upkeep
    reserved = CreditReserved.model_validate({
        "event_id": "ev-1", "occurred_at": AT.isoformat(), "location_id": "loc-1", "client_id": "cli-1",
        "booking_id": "b-1", "source": {"kind": "package", "id": "p-1"}, "session_starts_at": AT.isoformat()})

    await changes.apply_batch([reserved])

    assert members.log == {} and members.published == []


async def test_a_member_another_writer_stored_first_is_folded_again_from_theirs(upkeep):
    changes, members = upkeep
    theirs = {**new_member("loc-1", "cli-1"), "profile": {"first_name": {"value": "Ada"}}}
    members.rival(("loc-1", "cli-1"), theirs)

    await changes.apply_batch([entry(1, -500)])

    stored = members.known("loc-1|cli-1").state
    assert stored["profile"] == theirs["profile"] and stored["balance_minor"] == -500
    assert [e["type"] for e in members.published] == ["audience.entered"]  # once, from the winning fold


async def test_rejudging_a_new_audience_moves_only_members_it_admits(upkeep):
    changes, members = upkeep
    await changes.apply_batch([entry(1, -500), entry(1, 300, client="cli-2")])
    changes.catalog.audiences["credit"] = Audience("credit", "In credit", Condition("account_balance_minor", "gt", 0))

    await changes.rejudge(list(members.log))

    assert [(e["audience_id"], e["client_id"]) for e in members.published[1:]] == [("credit", "cli-2")]


def test_only_audiences_on_time_dependent_facts_give_a_horizon():
    assert time_horizon([OWING_BALANCE]) is None
    assert time_horizon([OWING_BALANCE, EXPIRING]) == 8
    assert time_horizon([Audience("s", "s", Condition("session_credits_remaining", "gt", 0))]) == 1


@pytest.mark.parametrize(("expiry", "moved"), [
    ("2026-12-30", True),  # 7 days after the new day: a 7-day condition may flip
    ("2026-12-31", True),
    ("2027-01-02", False),  # beyond every horizon on both days
    ("2026-11-21", False),  # expired before either day
    ("2026-11-22", True),  # usable on the old day, expired on the new one
])
def test_time_moves_a_member_only_when_an_expiry_is_within_reach(expiry, moved):
    assert moved_by_time((expiry,), TODAY, date(2026, 12, 23), horizon=8) is moved


def test_a_member_entering_a_days_to_expiry_audience_as_time_passes():
    member = fold(new_member("loc-1", "cli-1"), [(lambda mb: {**mb, "packages": [
        {"package_id": "p", "version": 1, "remaining": 3, "expires_on": "2026-12-31"}]}, AT)], [EXPIRING], TODAY).member

    later = fold(member, [], [EXPIRING], date(2026, 12, 24), rejudge_at=AT + timedelta(days=32))

    assert "expiring" not in member["audiences"]
    assert [(t.audience_id, t.entered) for t in later.transitions] == [("expiring", True)]
