"""The notifier's member log is compacted like the other services' logs: a member costs its
latest state, a fresh instance still loads every member, and the book stops trusting what it
knew long ago, so no writer builds on a number the compactor deleted."""

from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.adapters.store import NotifierStore
from services.notifier.service_layer.members import MEMBER
from shared.aggregates.store import AggregateStore
from shared.aggregates.versions import Version
from shared.wiring.clock import ManualClock
from tests.integration.test_notifier_store import owing, published, write

pytestmark = pytest.mark.integration

LATER = timedelta(minutes=11)  # past the 10 minutes a superseded version is kept


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 22, 9, tzinfo=UTC))


def instance(db, clock) -> tuple[NotifierStore, AggregateStore]:
    store = NotifierStore(db, clock.now)
    return store, AggregateStore(db["member_versions"], MEMBER, published, clock.now, cache=store.book)


async def test_superseded_member_versions_go_and_a_fresh_instance_loads_every_member(db, clock):
    store, log = instance(db, clock)
    for balance in (-100, -200, -300, 0):
        await write(log, [owing("c1", balance), owing("c2", balance - 1)])
    clock.set(clock.now() + LATER)

    assert await log.compactor.compact() == 4  # versions 2 and 3 of each; 1 stays as a stub

    restarted, _ = instance(db, clock)
    assert await restarted.book.load() == 2
    assert restarted.book.member("loc-1|c1")["balance_minor"] == 0
    assert [m["client_id"] for m in await restarted.audience_members("owing-balance")] == ["c2"]


async def test_a_member_known_long_ago_is_read_again_before_it_is_written_on(db, clock):
    mine, my_log = instance(db, clock)
    _, their_log = instance(db, clock)
    await write(my_log, [owing("c1", -100)])
    await their_log.fresh("loc-1|c1")
    for balance in (-200, -300):
        await write(their_log, [owing("c1", balance)])  # mine never hears of them (lost feed records)
    clock.set(clock.now() + LATER)
    assert await their_log.compactor.compact() == 1  # version 2, the one mine would write next

    assert mine.book.get("loc-1|c1") is None and mine.book.stale("loc-1|c1")
    assert mine.book.member("loc-1|c1")["balance_minor"] == -100  # pages still show what it knows
    await write(my_log, [owing("c1", -400)])

    versions = {d["version"]: d for d in await db["member_versions"].find({"key": "loc-1|c1"}).to_list()}
    assert sorted(versions) == [1, 3, 4]  # read again first: not a second version 2 behind the 3
    assert versions[4]["state"]["balance_minor"] == -400


async def test_a_version_learnt_from_the_feed_is_trusted_from_when_it_was_written(db, clock):
    store, _ = instance(db, clock)
    written = clock.now() - timedelta(seconds=90)  # read late off the feed

    store.book.put(Version("loc-1|c1", 4, owing("c1"), [], True), written)

    assert store.book.get("loc-1|c1") is None and store.book.member("loc-1|c1") is not None
