"""The aggregates of one kind in the store: the version log behind the unit of work.

The pieces, as pyeventsourcing splits them:
- shared.aggregates.unit_of_work: the repository and the unit of work every handler changes state through;
- shared.aggregates.versions: the records (a version, a decision);
- shared.aggregates.recorder: the unique insert of the next version (the only atomic primitive
  FerretDB v1 offers), so exactly one racing writer wins and a loser decides again;
- shared.aggregates.outbox: publishing each version's events once, and the relay for what a crash
  left pending;
- shared.aggregates.latest_versions: the in-process cache of each aggregate's latest version, which
  writers use; reads (`read`) ask the store, so a write made by another instance shows at once;
- shared.aggregates.compaction: the removal of superseded versions once nobody can build on them.
"""

import asyncio
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Generic, Protocol

from pymongo.asynchronous.collection import AsyncCollection

from shared.aggregates.compaction import Compactor, Retention
from shared.aggregates.latest_versions import LatestVersions
from shared.aggregates.locks import KeyedLocks
from shared.aggregates.outbox import Outbox
from shared.aggregates.pending_batches import PendingBatches
from shared.aggregates.recorder import VersionRecorder
from shared.aggregates.unit_of_work import A, Attempts, Kind, key_of
from shared.aggregates.versions import Publish, Version


class VersionCache(Protocol):
    """What a process keeps of each aggregate's latest version: LatestVersions, or a service's own
    book of every aggregate (the notifier's MemberBook)."""

    def get(self, key: str) -> Version | None: ...
    def put(self, version: Version) -> None: ...
    def forget(self, key: str) -> None: ...
    def published(self, version: Version) -> None: ...
    def stale(self, key: str) -> bool: ...  # known too long ago to write on: reload it first


class AggregateStore(Generic[A]):
    def __init__(self, collection: AsyncCollection, kind: Kind[A], publish: Publish, now: Callable[[], datetime],
                 cache: VersionCache | None = None, retention: Retention = Retention()) -> None:
        """`cache`: what this process keeps of each aggregate's latest version (an LRU of 20,000 by
        default, trusted for `retention.trust_cache`; the notifier's MemberBook, which holds
        every member). `retention`: how long the compactor keeps superseded versions."""
        pending = PendingBatches(collection.database[f"{collection.name}_pending"])
        self.kind = kind
        self._latest = cache if cache is not None else LatestVersions(20_000, now, retention.trust_cache)
        self.compactor = Compactor(collection, pending, now, retention)
        self._recorder = VersionRecorder(collection, pending, now, self.compactor.written)
        self._outbox = Outbox(self._recorder, pending, publish, self._latest, now)
        self._writers = KeyedLocks()

    async def ensure_indexes(self) -> None:
        await self._recorder.ensure_indexes()

    def attempts(self) -> Attempts[A]:
        return Attempts(self, self.kind)

    async def read(self, *owner: str) -> A | None:
        """The aggregate as stored now (None before its first change): what a GET shows."""
        version = await self.fresh(key_of(owner))
        return self.kind.load(version.state) if version.state is not None else None

    async def load(self, *owner: str) -> A | None:
        """The aggregate at the latest version this process knows (the cache first)."""
        version = self.known(key_of(owner)) or await self.fresh(key_of(owner))
        return self.kind.load(version.state) if version.state is not None else None

    # The Versions protocol of shared.aggregates.unit_of_work:

    def known(self, key: str) -> Version | None:
        return self._latest.get(key)

    async def fresh(self, key: str) -> Version:
        version = await self._recorder.latest(key)
        self._latest.put(version)
        return version

    @asynccontextmanager
    async def hold(self, keys: list[str]):
        """The writers' turn for these keys; what the cache knew of them too long ago to write on
        is read again first (one lookup each, at once), so a batch keeps them instead of trying
        them as new and writing each alone after its lost insert."""
        async with self._writers.hold_all(keys):
            stale = [key for key in keys if self._latest.get(key) is None and self._latest.stale(key)]
            await asyncio.gather(*(self.fresh(key) for key in stale))
            yield

    async def commit(self, changed: list[tuple[Version, Version]], idle: list[Version]) -> set[str]:
        lost = await self._recorder.insert_many([new for _, new in changed])
        won = [(current, new) for current, new in changed if new.key not in lost]
        for _, new in won:
            self._latest.put(new)
        # A current version a crash left unpublished goes out before the version that follows it.
        await self._outbox.finish(idle + [current for current, _ in won] + [new for _, new in won],
                                  batch=won[0][1].batch if won else None)
        for key in lost:
            self._latest.forget(key)
            await self.fresh(key)
        return lost

    async def relay_pending(self, older_than: timedelta = timedelta(seconds=2)) -> int:
        """Publish what crashed writers left unpublished. Returns how many versions."""
        return await self._outbox.relay_pending(older_than)

    async def run_relay(self, every: float = 2.0) -> None:
        await self._outbox.run_relay(every)

    async def run_compactor(self) -> None:
        """The cache stops trusting a version after `trust_cache` (`stale`): one that trusted
        forever could write on a number the compactor deleted."""
        await self.compactor.run()

