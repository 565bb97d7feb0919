"""The version log behind the unit of work: atomic on FerretDB, safe under races and crashes."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from pydantic import BaseModel, ConfigDict

from shared.migrations.outbox_marks import migrate
from shared.aggregates.store import AggregateStore
from shared.wiring.clock import ManualClock
from shared.aggregates.unit_of_work import Kind
from shared.aggregates.versions import ConcurrentUpdate, Version

pytestmark = pytest.mark.integration


class Outbound:
    def __init__(self, failing: bool = False) -> None:
        self.sent: list[dict] = []
        self.failing = failing

    async def __call__(self, events: list[dict]) -> None:
        if self.failing:
            raise ConnectionError("broker down")
        self.sent += events


class Said(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_id: str


class Credit:
    """A test aggregate: one credit to take, every try after it rejected; or a counter."""

    def __init__(self, state: dict) -> None:
        self.state, self.events = state, []

    def to_document(self) -> dict:
        return self.state

    def take(self) -> None:
        state = self.state
        if state["available"] == 0:
            self.events.append(Said(event_id=f"rejected-{len(state['taken'])}", type="rejected"))
            return
        taken = state["taken"] + [len(state["taken"])]
        self.state = {"available": state["available"] - 1, "taken": taken}
        self.events.append(Said(event_id=f"reserved-{len(taken)}"))

    def add_one(self) -> None:
        n = self.state.get("n", 0) + 1
        self.state = {"n": n}
        self.events.append(Said(event_id=f"n-{n}"))


CREDIT = Kind(new=lambda key: Credit({"available": 1, "taken": []}), load=Credit)
COUNTER = Kind(new=lambda key: Credit({}), load=Credit)


def credits(db, publish, clock, kind=CREDIT) -> AggregateStore[Credit]:
    return AggregateStore(db["aggs"], kind, publish, clock.now)


async def change(store: AggregateStore[Credit], key: str, what=Credit.take) -> Credit:
    async for uow in store.attempts():
        async with uow:
            aggregate = await uow.aggregates.get(key)
            what(aggregate)
            await uow.commit()
    return aggregate


async def change_many(store: AggregateStore[Credit], keys: str, what=Credit.take) -> None:
    async for uow in store.attempts():
        async with uow:
            for aggregate in (await uow.aggregates.get_many((key,) for key in keys)).values():
                what(aggregate)
            await uow.commit()


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 22, tzinfo=UTC))


async def test_a_change_and_its_events_are_stored_and_published_together(db, clock):
    out = Outbound()
    store = credits(db, out, clock)

    aggregate = await change(store, "a")

    assert aggregate.state == {"available": 0, "taken": [0]}
    assert out.sent == [{"event_id": "reserved-1"}]
    assert [d["version"] for d in await db["aggs"].find({"key": "a"}).to_list()] == [1]
    assert await db["aggs_pending"].count_documents({}) == 0  # nothing left for the relay
    clock.set(clock.now() + timedelta(seconds=5))
    assert await store.relay_pending() == 0 and out.sent == [{"event_id": "reserved-1"}]


async def test_racing_writers_never_take_the_last_credit_twice(db, clock):
    out = Outbound()
    store = credits(db, out, clock)

    await asyncio.gather(*(change(credits(db, out, clock), "a") for _ in range(8)))  # eight instances
    await store.relay_pending(older_than=timedelta(0))

    state = (await store.read("a")).state
    assert state["available"] == 0 and state["taken"] == [0]
    # Under contention a writer may republish a twin's in-flight events; consumers drop repeats
    # by event_id, so what matters is one effect and every event out at least once.
    assert {e["event_id"] for e in out.sent} == {"reserved-1", "rejected-1"}


async def test_events_a_crash_left_unpublished_are_published_by_the_relay(db, clock):
    broken = credits(db, Outbound(failing=True), clock)
    with pytest.raises(ConnectionError):
        await change(broken, "a")

    out = Outbound()
    healthy = credits(db, out, clock)
    clock.set(clock.now() + timedelta(seconds=5))
    flushed = await healthy.relay_pending()

    assert flushed == 1 and out.sent == [{"event_id": "reserved-1"}]
    assert await healthy.relay_pending() == 0


async def test_the_relay_publishes_inside_the_span_that_decided_the_events(db, clock):
    tracer = TracerProvider().get_tracer("test")
    broken = credits(db, Outbound(failing=True), clock)
    with tracer.start_as_current_span("consume") as deciding, pytest.raises(ConnectionError):
        await change(broken, "a")

    seen = []

    async def publish(events: list[dict]) -> None:
        seen.append((trace.get_current_span().get_span_context(), events))

    clock.set(clock.now() + timedelta(seconds=5))
    await credits(db, publish, clock).relay_pending()

    (context, events), = seen
    assert (context.trace_id, context.span_id) == (deciding.get_span_context().trace_id,
                                                   deciding.get_span_context().span_id)
    assert events == [{"event_id": "reserved-1"}]


async def test_the_next_write_finishes_a_publish_a_crash_interrupted(db, clock):
    broken = credits(db, Outbound(failing=True), clock)
    with pytest.raises(ConnectionError):
        await change(broken, "a")

    out = Outbound()
    await change(credits(db, out, clock), "a")

    assert [e["event_id"] for e in out.sent] == ["reserved-1", "rejected-1"]


async def test_a_unit_of_work_left_by_an_error_stores_nothing(db, clock):
    store = credits(db, Outbound(), clock)
    await change(store, "a")

    def refuse(aggregate: Credit) -> None:
        aggregate.take()
        raise ValueError("rule broken")

    with pytest.raises(ValueError):
        await change(store, "a", refuse)
    assert (await store.fresh("a")).number == 1


async def test_a_writer_holding_a_stale_version_cannot_reuse_its_number(db, clock):
    store = credits(db, Outbound(), clock)
    for _ in range(3):
        await change(store, "a")
    stale = Version("a", 2, {"available": 1, "taken": []}, [{"event_id": "late"}], False)

    with pytest.raises(ConcurrentUpdate):
        await store._recorder.insert(stale)


async def test_a_stale_cache_costs_a_reload_not_a_change(db, clock):
    out = Outbound()
    first, second = credits(db, out, clock, COUNTER), credits(db, out, clock, COUNTER)

    await change(first, "a", Credit.add_one)       # first caches version 1
    await change(second, "a", Credit.add_one)      # the other instance writes version 2
    await change_many(first, "ab", Credit.add_one)  # first's cache is stale for "a"

    assert (await second.read("a")).state == {"n": 3}
    assert sorted(e["event_id"] for e in out.sent) == ["n-1", "n-1", "n-2", "n-3"]


async def test_a_batch_changes_many_aggregates_and_publishes_their_events(db, clock):
    out = Outbound()
    store = credits(db, out, clock)
    await change(store, "b")

    await change_many(store, "abc")

    states = {k: (await store.read(k)).state["available"] for k in "abc"}
    assert states == {"a": 0, "b": 0, "c": 0}
    assert sorted(e["event_id"] for e in out.sent) == ["rejected-1", "reserved-1", "reserved-1", "reserved-1"]


async def test_a_batch_loses_no_change_to_a_racing_writer(db, clock):
    out = Outbound()
    store, other = credits(db, out, clock, COUNTER), credits(db, out, clock, COUNTER)

    await asyncio.gather(change_many(store, "ab", Credit.add_one), change(other, "a", Credit.add_one),
                         change_many(store, "a", Credit.add_one), change_many(other, "a", Credit.add_one))

    assert (await store.read("a")).state["n"] == 4 and (await store.read("b")).state["n"] == 1


async def test_a_restarted_store_does_not_publish_again_what_was_published(db, clock):
    first_out, second_out = Outbound(), Outbound()
    await change(credits(db, first_out, clock), "a")

    restarted = credits(db, second_out, clock)  # a cold cache reads the log
    await change(restarted, "a")

    assert [e["event_id"] for e in first_out.sent] == ["reserved-1"]
    assert [e["event_id"] for e in second_out.sent] == ["rejected-1"]


async def test_a_version_left_unpublished_the_old_way_is_relayed_once_migrated(db, clock):
    await db["aggs"].insert_one({"_id": "a#000000000001", "key": "a", "version": 1, "state": {"n": 1},
                                 "events": [{"event_id": "old-1"}], "published": False, "batch": "b-old",
                                 "written_at": clock.now()})
    out = Outbound()
    store = credits(db, out, clock)
    assert await migrate(db["aggs"]) == 1 and await migrate(db["aggs"]) == 0
    clock.set(clock.now() + timedelta(seconds=5))

    assert await store.relay_pending() == 1
    assert await credits(db, out, clock).relay_pending() == 0
    assert out.sent == [{"event_id": "old-1"}]


async def test_two_writers_of_one_process_publish_each_event_once_and_in_order(db, clock):
    sent = []

    async def slow_publish(events: list[dict]) -> None:
        await asyncio.sleep(0.05)  # the second writer reads version 1 while it is being published
        sent.extend(events)

    store = credits(db, slow_publish, clock, COUNTER)

    first = asyncio.create_task(change_many(store, "a", Credit.add_one))
    await asyncio.sleep(0.01)
    await asyncio.gather(first, change_many(store, "a", Credit.add_one))

    assert [e["event_id"] for e in sent] == ["n-1", "n-2"]
    assert await db["aggs_pending"].count_documents({}) == 0


async def test_a_batch_whose_versions_were_never_stored_leaves_nothing_pending(db, clock):
    out = Outbound()
    store = credits(db, out, clock)
    await store._outbox.pending.add("crashed-before-its-versions", clock.now())
    clock.set(clock.now() + timedelta(seconds=5))

    assert await store.relay_pending() == 0
    assert await db["aggs_pending"].count_documents({}) == 0 and out.sent == []
