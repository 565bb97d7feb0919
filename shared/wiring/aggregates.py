"""The repository of aggregates: load the latest version, decide, store the next one, publish.

The pieces, as pyeventsourcing splits them:
- shared.wiring.versions: the records (a version, a decision);
- shared.wiring.recorder: the unique insert of the next version (the only atomic primitive
  FerretDB v1 offers), so exactly one racing writer wins and a loser decides again;
- shared.wiring.outbox: publishing each version's events once, and the relay for what a crash
  left pending;
- shared.wiring.latest_versions: the in-process cache of each aggregate's latest version.
"""

import asyncio
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import datetime, timedelta

from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring.latest_versions import LatestVersions
from shared.wiring.locks import KeyedLocks
from shared.wiring.outbox import Outbox
from shared.wiring.pending_batches import PendingBatches
from shared.wiring.recorder import VersionRecorder
from shared.wiring.versions import ConcurrentUpdate, Decide, Decision, Publish, Version, first_version, next_version

__all__ = ["AggregateStore", "ConcurrentUpdate", "Decide", "Decision", "Publish", "Version"]


class AggregateStore:
    def __init__(self, collection: AsyncCollection, publish: Publish, now: Callable[[], datetime],
                 cache_size: int = 20_000) -> None:
        pending = PendingBatches(collection.database[f"{collection.name}_pending"])
        self._latest = LatestVersions(cache_size)
        self._recorder = VersionRecorder(collection, pending, now)
        self._outbox = Outbox(self._recorder, pending, publish, self._latest, now)
        self._writers = KeyedLocks()  # writers of one process take turns per aggregate

    async def ensure_indexes(self) -> None:
        await self._recorder.ensure_indexes()

    async def load(self, key: str) -> Version:
        """The latest version (from the cache when it holds one)."""
        cached = self._latest.get(key)
        if cached is not None:
            return cached
        version = await self._recorder.latest(key)
        self._latest.put(version)
        return version

    async def execute(self, key: str, decide: Decide, attempts: int = 100) -> Decision:
        """Load, decide, store as the next version (retrying if another writer won), publish."""
        async with self._writers.hold(key):
            return await self._execute(key, decide, attempts)

    async def _execute(self, key: str, decide: Decide, attempts: int) -> Decision:
        for _ in range(attempts):
            current = await self.load(key)
            decision = decide(current.state)
            if not decision.events and decision.state == current.state:
                await self._outbox.finish([current])  # a redelivery: at most finish a crashed publish
                return decision
            stored = next_version(current, decision)
            try:
                await self._recorder.insert(stored)
            except ConcurrentUpdate:
                self._latest.forget(key)
                await asyncio.sleep(0)
                continue
            self._latest.put(stored)
            await self._outbox.finish([current, stored], batch=stored.batch)
            return decision
        raise ConcurrentUpdate(f"aggregate {key} kept changing under us")

    async def execute_batch(self, changes: dict[str, Decide]) -> None:
        """One decision for each of many aggregates in a few round trips: the insert of every new
        version, one publish, the insert and delete of its pending entry. A key the cache does
        not know is tried as a new aggregate; if it was not new, or another writer got there
        first, it goes through `execute` on its own.

        Writers of this process take turns per aggregate (the bookings service writes one from
        two subscribers at once): racing, the loser of each insert reloaded and tried again
        alone, which under load made a batch take seconds.
        """
        async with AsyncExitStack() as held:
            for key in sorted(changes):  # one order for everyone: no two batches wait on each other
                await held.enter_async_context(self._writers.hold(key))
            await self._execute_batch(changes)

    async def _execute_batch(self, changes: dict[str, Decide]) -> None:
        current = {key: self._latest.get(key) or first_version(key) for key in changes}
        idle, written = [], []
        for key, decide in changes.items():
            decision = decide(current[key].state)
            if not decision.events and decision.state == current[key].state:
                idle.append(current[key])
            else:
                written.append(next_version(current[key], decision))
        lost = await self._recorder.insert_many(written)
        won = [v for v in written if v.key not in lost]
        for version in won:
            self._latest.put(version)
        await self._outbox.finish(idle + [current[v.key] for v in won] + won, batch=won[0].batch if won else None)
        for key in lost:
            self._latest.forget(key)
            await self._execute(key, changes[key], attempts=100)

    async def relay_pending(self, older_than: timedelta = timedelta(seconds=2)) -> int:
        """Publish what crashed writers left unpublished. Returns how many versions."""
        return await self._outbox.relay_pending(older_than)

    async def run_relay(self, every: float = 2.0) -> None:
        await self._outbox.run_relay(every)
