"""The one way a service changes its aggregates: a unit of work over a repository.

    async for uow in clients.attempts():       # a fresh try only when another writer won
        async with uow:
            client = await uow.aggregates.get(location_id, client_id)
            client.handle(event, now, zone)
            await uow.commit()

The repository hands out each aggregate at its latest known version; the aggregate's changes
collect the events to publish (its `events`). The commit is the unique insert of every changed
aggregate's next version with those events, which the outbox then publishes
(shared.aggregates.store). A commit that loses an insert to another writer raises
ConcurrentUpdate; leaving `async with` swallows it and `attempts()` hands out a new unit of work
on the latest versions: the retry on a lost race lives here and nowhere else. Any other error
leaves the block with nothing stored, and the failure model (shared.wiring.batches) decides.

A version this process remembers may be old: another instance may have stored a newer one.
Changing it loses the insert, but a refusal (a RuleViolation) or "nothing changed" inserts
nothing, so either is first checked against the store's latest version; if it is newer, the
attempt counts as lost and the next one decides on it (docs/instances.md).
"""

import asyncio
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from shared.rules import RuleViolation
from shared.aggregates.versions import ConcurrentUpdate, Decision, Version, first_version, next_version


class Aggregate(Protocol):
    events: list[BaseModel]  # what its changes decided to publish since it was loaded, in order

    def to_document(self) -> dict: ...


A = TypeVar("A", bound=Aggregate)


def _no_index(_: Aggregate) -> dict:
    return {}


@dataclass(frozen=True)
class Kind(Generic[A]):
    """How one kind of aggregate, owned by a tuple of ids, is made, stored and found again."""

    new: Callable[..., A]  # (*owner) -> the aggregate before its first change
    load: Callable[[dict], A]  # its stored state -> the aggregate
    index: Callable[[A], dict] = _no_index  # top-level fields to find its versions by (a due date)


def key_of(owner: tuple[str, ...]) -> str:
    return "|".join(owner)


class Versions(Protocol):
    """Where versions live: the log in the store (AggregateStore) or memory (InMemoryAggregates)."""

    def known(self, key: str) -> Version | None:
        """The latest version this process knows, without a round trip (None: not known)."""

    async def fresh(self, key: str) -> Version:
        """The latest version in the store."""

    def hold(self, keys: list[str]) -> AbstractAsyncContextManager:
        """Writers of one process take turns per aggregate (always taken in sorted order)."""

    async def commit(self, changed: list[tuple[Version, Version]], idle: list[Version]) -> set[str]:
        """Store each (current, next) pair's next version and publish; the keys whose next
        number another writer took (the process knows their latest version again)."""


class Aggregates(Protocol[A]):
    """What a handler is given: AggregateStore, or InMemoryAggregates in unit tests."""

    def attempts(self) -> "Attempts[A]": ...

    async def read(self, *owner: str) -> A | None:
        """The aggregate as stored now (None before its first change): what a GET shows."""


class Repository(Generic[A]):
    """The aggregates one unit of work took, each with the version it was loaded at."""

    def __init__(self, versions: Versions, kind: Kind[A], held: AsyncExitStack, done: set[str]) -> None:
        self._versions, self._kind, self._held = versions, kind, held
        self._done = done  # keys an earlier attempt committed
        self.seen: dict[str, tuple[Version, A]] = {}
        self.remembered: set[str] = set()  # keys taken at a version this process remembered (maybe old)

    async def get(self, *owner: str) -> A:
        """One aggregate at its latest version (read from the store when this process lacks it)."""
        key = key_of(owner)
        if key not in self.seen:
            await self._held.enter_async_context(self._versions.hold([key]))
            known = self._versions.known(key)
            self._track(owner, known or await self._versions.fresh(key), remembered=known is not None)
        return self.seen[key][1]

    async def get_many(self, owners: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], A]:
        """Many aggregates for a batch, without a read: one this process does not know is taken
        as new (an inbound batch mostly brings clients seen before, or new ones); a wrong guess
        loses its insert and the next attempt has the stored version. A later attempt brings only
        the aggregates whose commit was lost: the others are stored already."""
        owners = sorted(o for o in set(owners) if key_of(o) not in self._done)
        new = [owner for owner in owners if key_of(owner) not in self.seen]
        await self._held.enter_async_context(self._versions.hold([key_of(o) for o in new]))
        for owner in new:
            self._track(owner, self._versions.known(key_of(owner)) or first_version(key_of(owner)), remembered=True)
        return {owner: self.seen[key_of(owner)][1] for owner in owners}

    def _track(self, owner: tuple[str, ...], version: Version, remembered: bool) -> None:
        aggregate = self._kind.load(version.state) if version.state is not None else self._kind.new(*owner)
        self.seen[version.key] = (version, aggregate)
        if remembered:
            self.remembered.add(version.key)

    async def outdated(self, versions: Iterable[Version]) -> set[str]:
        """The keys among `versions` taken from memory whose stored version is newer (one read each)."""
        return {v.key for v in versions if v.key in self.remembered
                and (await self._versions.fresh(v.key)).number > v.number}

    def changes(self) -> tuple[list[tuple[Version, Version]], list[Version]]:
        """(current, next) for every aggregate that changed; the current versions of the rest."""
        changed, idle = [], []
        for current, aggregate in self.seen.values():
            state, events = aggregate.to_document(), [e.model_dump(mode="json") for e in aggregate.events]
            if events or state != current.state:
                changed.append((current, next_version(current, Decision(state, events, self._kind.index(aggregate)))))
            else:
                idle.append(current)  # a redelivery: the commit at most finishes a crashed publish
        return changed, idle


class UnitOfWork(Generic[A]):
    def __init__(self, versions: Versions, kind: Kind[A], done: set[str] | None = None) -> None:
        self._versions = versions
        self._held = AsyncExitStack()
        self._done = set() if done is None else done
        self.aggregates: Repository[A] = Repository(versions, kind, self._held, self._done)
        self.lost = False  # another writer won: `attempts` hands out a fresh unit of work

    async def __aenter__(self) -> "UnitOfWork[A]":
        return self

    async def __aexit__(self, kind, error, traceback) -> bool:
        try:
            refused_on_old = isinstance(error, RuleViolation) and bool(
                await self.aggregates.outdated(version for version, _ in self.aggregates.seen.values()))
        finally:
            await self._held.aclose()
        self.lost = isinstance(error, ConcurrentUpdate) or refused_on_old
        return self.lost  # what was not committed is dropped with the unit of work

    async def commit(self) -> None:
        changed, idle = self.aggregates.changes()
        outdated = await self.aggregates.outdated(idle)  # "nothing changed" may only mean "not seen yet"
        lost = await self._versions.commit(changed, [v for v in idle if v.key not in outdated]) | outdated
        self._done |= {key for key in self.aggregates.seen if key not in lost}
        if lost:
            raise ConcurrentUpdate(", ".join(sorted(lost)))


class Attempts(Generic[A]):
    """Units of work, one after another, until one is not beaten to its commit."""

    def __init__(self, versions: Versions, kind: Kind[A], limit: int = 100) -> None:
        self._versions, self._kind, self._left = versions, kind, limit
        self._last: UnitOfWork[A] | None = None
        self._done: set[str] = set()  # committed by an earlier attempt: a batch retries only the rest

    def __aiter__(self) -> "Attempts[A]":
        return self

    async def __anext__(self) -> UnitOfWork[A]:
        if self._last is not None and not self._last.lost:
            raise StopAsyncIteration
        if not self._left:
            raise ConcurrentUpdate("the aggregates kept changing under us")
        if self._last is not None:
            await asyncio.sleep(0)  # let the writer that won finish publishing first
        self._left -= 1
        self._last = UnitOfWork(self._versions, self._kind, self._done)
        return self._last
