"""One contract, two backends: the in-memory fake every handler's unit tests use behaves as the
version log in the real store does, for what a handler relies on."""

from datetime import UTC, datetime

import pytest

from shared.aggregates.store import AggregateStore
from shared.aggregates.memory import InMemoryAggregates
from tests.unit.test_unit_of_work import COUNTER, add_one

pytestmark = pytest.mark.integration


def now() -> datetime:
    return datetime(2026, 12, 1, tzinfo=UTC)


class Backend:
    """A store, what it published, and another writer that can store a state first."""

    def __init__(self, name: str, db) -> None:
        self.name, self._db, self.published = name, db, []
        self.store = InMemoryAggregates(COUNTER) if name == "memory" else self._log()
        if name == "memory":
            self.published = self.store.published

    def _log(self) -> AggregateStore:
        return AggregateStore(self._db["counters"], COUNTER, self._publish, now)

    async def _publish(self, events: list[dict]) -> None:
        self.published += events

    async def rival(self, state: dict) -> None:
        if self.name == "memory":
            self.store.rival(("k",), state)
            return
        async for uow in self._log().attempts():  # another instance: its own cache and locks
            async with uow:
                (await uow.aggregates.get("k")).state = state
                await uow.commit()


@pytest.fixture(params=["memory", "store"])
def backend(request, db) -> Backend:
    return Backend(request.param, db)


async def test_a_commit_stores_the_next_version_and_publishes_its_events(backend):
    await add_one(backend.store)
    await add_one(backend.store)

    assert (await backend.store.read("k")).state == {"n": 2}
    assert backend.published == [{"n": 1}, {"n": 2}]


async def test_an_error_before_the_commit_leaves_the_aggregate_as_it_was(backend):
    await add_one(backend.store)
    with pytest.raises(ValueError):
        await add_one(backend.store, fail=True)

    assert (await backend.store.read("k")).state == {"n": 1} and backend.published == [{"n": 1}]


async def test_a_change_another_writer_stored_first_is_decided_again_on_theirs(backend):
    await add_one(backend.store)
    await backend.rival({"n": 10})

    await add_one(backend.store)

    assert (await backend.store.read("k")).state == {"n": 11}
    assert backend.published == [{"n": 1}, {"n": 11}]


async def test_an_aggregate_never_changed_reads_as_none(backend):
    assert await backend.store.read("k") is None
