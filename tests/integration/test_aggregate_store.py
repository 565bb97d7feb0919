"""One document per aggregate with its outbox: atomic on FerretDB, safe under races and crashes."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from shared.migrations.outbox_marks import migrate
from shared.wiring.aggregates import AggregateStore, ConcurrentUpdate, Decision, Version
from shared.wiring.clock import ManualClock

pytestmark = pytest.mark.integration


class Outbound:
    def __init__(self, failing: bool = False) -> None:
        self.sent: list[dict] = []
        self.failing = failing

    async def __call__(self, events: list[dict]) -> None:
        if self.failing:
            raise ConnectionError("broker down")
        self.sent += events


def take_credit(state: dict | None) -> Decision:
    state = state or {"available": 1, "taken": []}
    if state["available"] == 0:
        return Decision(state, [{"event_id": f"rejected-{len(state['taken'])}", "type": "rejected"}])
    taken = state["taken"] + [len(state["taken"])]
    return Decision({"available": state["available"] - 1, "taken": taken}, [{"event_id": f"reserved-{len(taken)}"}])


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 22, tzinfo=UTC))


async def test_a_change_and_its_events_are_stored_and_published_together(db, clock):
    out = Outbound()
    store = AggregateStore(db["aggs"], out, clock.now)

    decision = await store.execute("a", take_credit)

    assert decision.state == {"available": 0, "taken": [0]}
    assert out.sent == [{"event_id": "reserved-1"}]
    assert [d["version"] for d in await db["aggs"].find({"key": "a"}).to_list()] == [1]
    assert await db["aggs_pending"].count_documents({}) == 0  # nothing left for the relay
    clock.set(clock.now() + timedelta(seconds=5))
    assert await store.relay_pending() == 0 and out.sent == [{"event_id": "reserved-1"}]


async def test_racing_writers_never_take_the_last_credit_twice(db, clock):
    out = Outbound()
    store = AggregateStore(db["aggs"], out, clock.now)

    await asyncio.gather(*(store.execute("a", take_credit) for _ in range(8)))
    await store.relay_pending(older_than=timedelta(0))

    state = (await store.load("a")).state
    assert state["available"] == 0 and state["taken"] == [0]
    # Under contention a writer may republish a twin's in-flight events; consumers drop repeats
    # by event_id, so what matters is one effect and every event out at least once.
    assert {e["event_id"] for e in out.sent} == {"reserved-1", "rejected-1"}


async def test_events_a_crash_left_unpublished_are_published_by_the_relay(db, clock):
    broken = AggregateStore(db["aggs"], Outbound(failing=True), clock.now)
    with pytest.raises(ConnectionError):
        await broken.execute("a", take_credit)

    out = Outbound()
    healthy = AggregateStore(db["aggs"], out, clock.now)
    clock.set(clock.now() + timedelta(seconds=5))
    flushed = await healthy.relay_pending()

    assert flushed == 1 and out.sent == [{"event_id": "reserved-1"}]
    assert await healthy.relay_pending() == 0


async def test_the_relay_publishes_inside_the_span_that_decided_the_events(db, clock):
    tracer = TracerProvider().get_tracer("test")
    broken = AggregateStore(db["aggs"], Outbound(failing=True), clock.now)
    with tracer.start_as_current_span("consume") as deciding, pytest.raises(ConnectionError):
        await broken.execute("a", take_credit)

    seen = []

    async def publish(events: list[dict]) -> None:
        seen.append((trace.get_current_span().get_span_context(), events))

    clock.set(clock.now() + timedelta(seconds=5))
    await AggregateStore(db["aggs"], publish, clock.now).relay_pending()

    (context, events), = seen
    assert (context.trace_id, context.span_id) == (deciding.get_span_context().trace_id,
                                                   deciding.get_span_context().span_id)
    assert events == [{"event_id": "reserved-1"}]


async def test_the_next_write_finishes_a_publish_a_crash_interrupted(db, clock):
    broken = AggregateStore(db["aggs"], Outbound(failing=True), clock.now)
    with pytest.raises(ConnectionError):
        await broken.execute("a", take_credit)

    out = Outbound()
    await AggregateStore(db["aggs"], out, clock.now).execute("a", take_credit)

    assert [e["event_id"] for e in out.sent] == ["reserved-1", "rejected-1"]


async def test_a_decision_that_raises_changes_nothing(db, clock):
    store = AggregateStore(db["aggs"], Outbound(), clock.now)
    await store.execute("a", take_credit)

    def refuse(state):
        raise ValueError("rule broken")

    with pytest.raises(ValueError):
        await store.execute("a", refuse)
    assert (await store.load("a")).number == 1


async def test_a_writer_holding_a_stale_version_cannot_reuse_its_number(db, clock):
    store = AggregateStore(db["aggs"], Outbound(), clock.now)
    for _ in range(3):
        await store.execute("a", take_credit)
    stale = Version("a", 2, {"available": 1, "taken": []}, [{"event_id": "late"}], False)

    with pytest.raises(ConcurrentUpdate):
        await store._recorder.insert(stale)


async def test_a_stale_cache_costs_a_reload_not_a_change(db, clock):
    out = Outbound()
    first, second = AggregateStore(db["aggs"], out, clock.now), AggregateStore(db["aggs"], out, clock.now)

    def add_one(state):
        state = state or {"n": 0}
        return Decision({"n": state["n"] + 1}, [{"event_id": f"n-{state['n'] + 1}"}])

    await first.execute("a", add_one)       # first caches version 1
    await second.execute("a", add_one)      # the other instance writes version 2
    await first.execute_batch({"a": add_one, "b": add_one})  # first's cache is stale for "a"

    assert (await second._recorder.latest("a")).state == {"n": 3}
    assert sorted(e["event_id"] for e in out.sent) == ["n-1", "n-1", "n-2", "n-3"]


async def test_a_batch_changes_many_aggregates_and_publishes_their_events(db, clock):
    out = Outbound()
    store = AggregateStore(db["aggs"], out, clock.now)
    await store.execute("b", take_credit)

    await store.execute_batch({"a": take_credit, "b": take_credit, "c": take_credit})

    states = {k: (await store.load(k)).state["available"] for k in "abc"}
    assert states == {"a": 0, "b": 0, "c": 0}
    assert sorted(e["event_id"] for e in out.sent) == ["rejected-1", "reserved-1", "reserved-1", "reserved-1"]


async def test_a_batch_loses_no_change_to_a_racing_writer(db, clock):
    out = Outbound()
    store = AggregateStore(db["aggs"], out, clock.now)

    def add_one(state):
        state = state or {"n": 0}
        return Decision({"n": state["n"] + 1}, [{"event_id": f"n-{state['n'] + 1}"}])

    await asyncio.gather(store.execute_batch({"a": add_one, "b": add_one}), store.execute("a", add_one),
                         store.execute_batch({"a": add_one}))

    assert (await store.load("a")).state["n"] == 3 and (await store.load("b")).state["n"] == 1


async def test_a_restarted_store_does_not_publish_again_what_was_published(db, clock):
    first_out, second_out = Outbound(), Outbound()
    await AggregateStore(db["aggs"], first_out, clock.now).execute("a", take_credit)

    restarted = AggregateStore(db["aggs"], second_out, clock.now)  # a cold cache reads the log
    await restarted.execute("a", take_credit)

    assert [e["event_id"] for e in first_out.sent] == ["reserved-1"]
    assert [e["event_id"] for e in second_out.sent] == ["rejected-1"]


async def test_a_version_left_unpublished_the_old_way_is_relayed_once_migrated(db, clock):
    await db["aggs"].insert_one({"_id": "a#000000000001", "key": "a", "version": 1, "state": {"n": 1},
                                 "events": [{"event_id": "old-1"}], "published": False, "batch": "b-old",
                                 "written_at": clock.now()})
    out = Outbound()
    store = AggregateStore(db["aggs"], out, clock.now)
    assert await migrate(db["aggs"]) == 1 and await migrate(db["aggs"]) == 0
    clock.set(clock.now() + timedelta(seconds=5))

    assert await store.relay_pending() == 1
    assert await AggregateStore(db["aggs"], out, clock.now).relay_pending() == 0
    assert out.sent == [{"event_id": "old-1"}]


async def test_two_writers_of_one_process_publish_each_event_once_and_in_order(db, clock):
    sent = []

    async def slow_publish(events: list[dict]) -> None:
        await asyncio.sleep(0.05)  # the second writer reads version 1 while it is being published
        sent.extend(events)

    store = AggregateStore(db["aggs"], slow_publish, clock.now)

    def add_one(state):
        state = state or {"n": 0}
        return Decision({"n": state["n"] + 1}, [{"event_id": f"n-{state['n'] + 1}"}])

    first = asyncio.create_task(store.execute_batch({"a": add_one}))
    await asyncio.sleep(0.01)
    await asyncio.gather(first, store.execute_batch({"a": add_one}))

    assert [e["event_id"] for e in sent] == ["n-1", "n-2"]
    assert await db["aggs_pending"].count_documents({}) == 0


async def test_a_batch_whose_versions_were_never_stored_leaves_nothing_pending(db, clock):
    out = Outbound()
    store = AggregateStore(db["aggs"], out, clock.now)
    await store._outbox.pending.add("crashed-before-its-versions", clock.now())
    clock.set(clock.now() + timedelta(seconds=5))

    assert await store.relay_pending() == 0
    assert await db["aggs_pending"].count_documents({}) == 0 and out.sent == []
