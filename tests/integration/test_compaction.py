"""Superseded versions are deleted once published and old enough; no writer can reuse their numbers."""

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from shared.aggregates.store import AggregateStore
from shared.wiring.clock import ManualClock
from tests.integration.test_aggregate_store import COUNTER, Credit, Outbound, change, change_many

pytestmark = pytest.mark.integration

LATER = timedelta(minutes=11)  # past the default 10 minutes a superseded version is kept


def counter(db, publish, clock) -> AggregateStore[Credit]:
    return AggregateStore(db["aggs"], COUNTER, publish, clock.now)


async def add_one(store: AggregateStore[Credit], key: str = "a") -> None:
    await change(store, key, Credit.add_one)


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 22, tzinfo=UTC))


async def stored(db) -> dict[int, dict]:
    return {d["version"]: d for d in await db["aggs"].find({"key": "a"}).to_list()}


async def test_superseded_versions_are_deleted_once_old_and_the_latest_stays_whole(db, clock):
    store = counter(db, Outbound(), clock)
    for _ in range(5):
        await add_one(store)

    assert await store.compactor.compact() == 0  # written just now: a writer may still build on them
    clock.set(clock.now() + LATER)
    assert await store.compactor.compact() == 3

    versions = await stored(db)
    assert sorted(versions) == [1, 5]
    assert versions[1]["state"] is None and versions[1]["compacted"]  # keeps its number, nothing else
    assert versions[5]["state"] == {"n": 5} and versions[5]["events"] == [{"event_id": "n-5"}]
    restarted = counter(db, Outbound(), clock)
    assert (await restarted.read("a")).state == {"n": 5}


async def test_a_version_whose_events_are_not_published_stays_until_the_relay_publishes_them(db, clock):
    broken = counter(db, Outbound(failing=True), clock)
    for _ in range(3):
        with pytest.raises(ConnectionError):
            await add_one(broken)
    clock.set(clock.now() + LATER)

    assert await broken.compactor.compact() == 0
    assert sorted(await stored(db)) == [1, 2, 3]

    out = Outbound()
    await counter(db, out, clock).relay_pending()
    assert [e["event_id"] for e in out.sent] == ["n-1", "n-2", "n-3"]
    assert await broken.compactor.compact() == 1
    assert sorted(await stored(db)) == [1, 3]


async def test_a_writer_with_an_old_cache_entry_reloads_instead_of_reusing_a_deleted_number(db, clock):
    out = Outbound()
    slow, other = counter(db, out, clock), counter(db, out, clock)
    await add_one(slow)  # slow caches version 1
    await add_one(other)  # another instance writes versions 2 and 3
    await add_one(other)
    clock.set(clock.now() + LATER)
    await other.compactor.compact()
    assert sorted(await stored(db)) == [1, 3]  # version 2 is gone: inserting it again would succeed

    await add_one(slow)

    versions = await stored(db)
    assert sorted(versions) == [1, 3, 4] and versions[4]["state"] == {"n": 4}
    assert [e["event_id"] for e in out.sent] == ["n-1", "n-2", "n-3", "n-4"]


async def test_a_batch_writer_that_does_not_know_a_compacted_aggregate_loses_the_insert_of_version_1(db, clock):
    out = Outbound()
    store = counter(db, out, clock)
    for _ in range(3):
        await add_one(store)
    clock.set(clock.now() + LATER)
    await store.compactor.compact()

    cold = counter(db, out, clock)  # tries "a" as new: the stub of version 1 refuses it
    await change_many(cold, "a", Credit.add_one)

    versions = await stored(db)
    assert sorted(versions) == [1, 3, 4] and versions[4]["state"] == {"n": 4}
    assert out.sent[-1] == {"event_id": "n-4"}


async def test_an_aggregate_written_all_the_time_is_still_compacted(db, clock):
    store = counter(db, Outbound(), clock)
    for _ in range(12):
        await add_one(store)
        clock.set(clock.now() + timedelta(minutes=2))
        await store.compactor.compact()

    # the stub, and the versions of the last ten minutes (version 8 was written exactly ten minutes ago)
    assert sorted(await stored(db)) == [1, 8, 9, 10, 11, 12]
    assert (await store.read("a")).state == {"n": 12}


async def test_a_restarted_compactor_finds_the_versions_a_crash_left(db, clock):
    crashed = counter(db, Outbound(), clock)
    for _ in range(4):
        await add_one(crashed)
    await add_one(crashed, "b")

    restarted = counter(db, Outbound(), clock)
    assert await restarted.compactor.recover() == 1  # "b" has only its latest version
    clock.set(clock.now() + LATER)

    assert await restarted.compactor.compact() == 2
    assert sorted(await stored(db)) == [1, 4]
    assert await counter(db, Outbound(), clock).compactor.recover() == 0


async def test_the_versions_deleted_are_counted_on_the_metrics(db, clock):
    registry = CollectorRegistry()
    store = counter(db, Outbound(), clock)
    store.compactor.count_in(registry)
    for _ in range(4):
        await add_one(store)
    clock.set(clock.now() + LATER)
    await store.compactor.compact()

    assert registry.get_sample_value("versions_deleted_total", {"log": "aggs"}) == 2


async def test_a_batch_writer_reloads_what_it_knew_too_long_ago_and_keeps_it_in_the_batch(db, clock):
    out = Outbound()
    slow, other = counter(db, out, clock), counter(db, out, clock)
    await add_one(slow)
    await add_one(other)
    await add_one(other)
    clock.set(clock.now() + LATER)
    await other.compactor.compact()

    await change_many(slow, "ab", Credit.add_one)

    reloaded = await db["aggs"].find_one({"_id": "a#000000000004"})
    [fresh] = await db["aggs"].find({"key": "b"}).to_list()
    assert reloaded["state"] == {"n": 4} and reloaded["batch"] == fresh["batch"]  # one insert for both
