"""The unit of work itself, over the in-memory versions: what a handler can rely on."""

import pytest
from pydantic import BaseModel

from shared.aggregates.memory import InMemoryAggregates
from shared.aggregates.unit_of_work import Kind
from shared.aggregates.versions import ConcurrentUpdate


class Counted(BaseModel):
    n: int


class Counter:
    def __init__(self, state: dict) -> None:
        self.state, self.events = state, []

    def to_document(self) -> dict:
        return self.state

    def add(self) -> None:
        self.state = {"n": self.state["n"] + 1}
        self.events.append(Counted(n=self.state["n"]))


COUNTER = Kind(new=lambda key: Counter({"n": 0}), load=Counter)


async def add_one(store: InMemoryAggregates, *, fail: bool = False) -> None:
    async for uow in store.attempts():
        async with uow:
            (await uow.aggregates.get("k")).add()
            if fail:
                raise ValueError("a rule broke after the change")
            await uow.commit()


async def test_an_error_before_the_commit_stores_and_publishes_nothing():
    store = InMemoryAggregates(COUNTER)

    with pytest.raises(ValueError):
        await add_one(store, fail=True)

    assert store.log == {} and store.published == []


async def test_a_lost_race_is_tried_again_on_the_winners_version():
    store = InMemoryAggregates(COUNTER)
    await add_one(store)
    store.rival(("k",), {"n": 10})

    await add_one(store)

    assert (await store.read("k")).state == {"n": 11}
    assert store.published == [{"n": 1}, {"n": 11}]


async def test_a_unit_of_work_without_a_commit_stores_nothing():
    store = InMemoryAggregates(COUNTER)
    async for uow in store.attempts():
        async with uow:
            (await uow.aggregates.get("k")).add()

    assert store.log == {}


async def test_an_aggregate_that_never_stops_changing_under_us_ends_in_an_error():
    store = InMemoryAggregates(COUNTER)
    attempts = store.attempts()
    with pytest.raises(ConcurrentUpdate):
        async for uow in attempts:
            store.rival(("k",), {"n": 99})
            async with uow:
                (await uow.aggregates.get("k")).add()
                await uow.commit()
