"""The compactor: removes an aggregate's superseded versions once nobody can build on them.

A client costs its latest state, not its history (the history is in the state's ledger and in
the events published). The log's one atomic primitive is the unique insert of `<key>#<version>`:
exactly one writer wins version n+1 *while n+1 is stored*. Deleting it would let a writer that
still believes in version n (a cache entry, a slow writer, another instance) insert n+1 again
and win: its change would be silently lost behind the real latest, or its events published. So:

- a version is deleted only once it and the version after it were written `keep_superseded`
  ago (10 minutes), and
- no writer trusts a version it loaded or confirmed more than `trust_cache` ago (60 s):
  LatestVersions.get treats an older entry as a miss, and the writer reloads the latest.

A writer holding version n confirmed it before n+1 was written, so it stops trusting it by the
time n+1 is `trust_cache` old, long before n+1 may go. The margin (9 minutes by default)
assumes no writer pauses longer between trusting a version and its insert reaching the store,
and that the instances' clocks agree within it (they stamp `written_at`).

Always kept: the latest version; every version whose batch is still in the outbox's index
(its events may not be out); and version 1, cut down to a stub, because a writer that does not
know an aggregate tries it as new (version 1) and must keep losing that insert.

On the hot path this costs a dict entry per key written. Each pass deletes, per key written
since, `{"key": k, "version": {"$gt": 1, "$lt": n}}`: its top-level equality on `key` reaches
PostgreSQL (a GIN index), the range runs in Go over that client's few versions. A pass at
start-up finds what a crash left.
"""

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily
from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring.logging import get_logger
from shared.aggregates.pending_batches import PendingBatches, aware
from shared.wiring.settings import Settings
from shared.aggregates.versions import version_id

log = get_logger(__name__)

LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)
BACKLOG_LIMIT = 1000  # pending batches beyond which a pass waits for the relay (a broker outage)


@dataclass(frozen=True)
class Retention:
    """How long superseded versions stay, and how long a writer may trust what it knows."""

    keep_superseded: timedelta = timedelta(minutes=10)
    trust_cache: timedelta = timedelta(seconds=60)
    every: float = 60.0  # seconds between passes

    def __post_init__(self) -> None:
        if self.keep_superseded < 2 * self.trust_cache:
            raise ValueError("keep_superseded must be at least twice trust_cache: the margin is what a "
                             "writer may pause between trusting a version and writing the next")

    @classmethod
    def of(cls, settings: Settings) -> "Retention":
        return cls(timedelta(seconds=settings.keep_superseded_seconds), timedelta(seconds=settings.trust_cache_seconds))


class Written(NamedTuple):
    number: int
    at: datetime


class Compactor:
    def __init__(self, versions: AsyncCollection, pending: PendingBatches, now: Callable[[], datetime],
                 retention: Retention = Retention()) -> None:
        self._log = versions
        self._pending = pending
        self._now = now
        self._retention = retention
        # key -> versions written since its last pass, at most one per `every` (the first), and
        # its newest: a pass deletes below the newest of them that is old enough
        self._marks: dict[str, list[Written]] = {}
        self._newest: dict[str, Written] = {}
        self._recovered = False
        self.deleted = 0

    def written(self, key: str, number: int, at: datetime) -> None:
        """The recorder stored this version: the ones before it may go once it is old enough."""
        marks = self._marks.setdefault(key, [])
        if not marks or at - marks[-1].at >= timedelta(seconds=self._retention.every):
            marks.append(Written(number, at))
        if number > self._newest.get(key, Written(0, at)).number:
            self._newest[key] = Written(number, at)

    async def run(self) -> None:
        if not self._recovered:  # once: a restart after an outage keeps what it remembers
            await self.recover()
            self._recovered = True
        while True:
            await asyncio.sleep(self._retention.every)
            deleted = await self.compact()
            if deleted:
                log.info("superseded versions deleted", log=self._log.name, versions=deleted)

    async def recover(self) -> int:
        """Remembers the keys whose superseded versions a crash (or older code) left. Reads the
        log once, keeping per key only its top version and whether anything but a stub stands
        below it; returns how many keys."""
        tops: dict[str, tuple[int, datetime, bool]] = {}  # key -> (version, written_at, compacted)
        left: set[str] = set()
        async for doc in self._log.find({}, {"key": 1, "version": 1, "written_at": 1, "compacted": 1}):
            seen, top = (doc["version"], _written_at(doc), bool(doc.get("compacted"))), tops.get(doc["key"])
            if top is None or seen[0] > top[0]:
                tops[doc["key"]], seen = seen, top
            if seen is not None and not seen[2]:
                left.add(doc["key"])
        for key in left:
            self.written(key, tops[key][0], aware(tops[key][1]))
        return len(left)

    async def compact(self) -> int:
        """Deletes what may go of the keys written long enough ago; returns how many versions."""
        cutoff = self._now() - self._retention.keep_superseded
        due = [key for key, marks in self._marks.items() if aware(marks[0].at) <= cutoff]
        if not due:
            return 0
        unpublished = await self._unpublished()
        if unpublished is None:
            return 0
        before = self.deleted
        for key in due:
            reached = self._reached(key, cutoff)
            below = min(reached.number, unpublished.get(key, reached.number))
            self.deleted += await self._below(key, below)
            if below == reached.number:  # else unpublished versions: tried again next pass
                self._passed(key, reached)
        return self.deleted - before

    def _reached(self, key: str, cutoff: datetime) -> Written:
        newest = self._newest[key]
        if aware(newest.at) <= cutoff:
            return newest
        return [mark for mark in self._marks[key] if aware(mark.at) <= cutoff][-1]

    def _passed(self, key: str, reached: Written) -> None:
        newest = self._newest[key]
        if newest.number > reached.number:
            self._marks[key] = [m for m in self._marks[key] if m.number > reached.number] or [newest]
        else:
            del self._marks[key], self._newest[key]

    async def _unpublished(self) -> dict[str, int] | None:
        """Each key's lowest version whose batch is still pending (None: too many to read now).
        Batches younger than `trust_cache` are in flight: they only hold versions newer than
        anything due."""
        stale = await self._pending.older_than(self._now() - self._retention.trust_cache)
        if len(stale) > BACKLOG_LIMIT:
            log.warning("compaction waits for the outbox relay", log=self._log.name, pending_batches=len(stale))
            return None
        lowest: dict[str, int] = {}
        for batch in stale:
            async for doc in self._log.find({"batch": batch}, {"key": 1, "version": 1}):
                lowest[doc["key"]] = min(doc["version"], lowest.get(doc["key"], doc["version"]))
        return lowest

    async def _below(self, key: str, below: int) -> int:
        if below < 2:
            return 0  # version 1 itself is unpublished: nothing before it
        gone = await self._log.delete_many({"key": key, "version": {"$gt": 1, "$lt": below}})
        if gone.deleted_count or below == 2:
            await self._stub_first(key)
        return gone.deleted_count

    async def _stub_first(self, key: str) -> None:
        """Version 1 keeps its number (a writer trying the aggregate as new must lose) and
        nothing else. Only the compactor rewrites a published version, so the update races
        nobody but another instance's compactor writing the same stub."""
        first = version_id(key, 1)
        await self._log.replace_one({"_id": first, "compacted": {"$exists": False}},
                                    {"_id": first, "key": key, "version": 1, "state": None, "events": [],
                                     "published": True, "batch": "", "written_at": self._now(), "compacted": True})

    def count_in(self, registry: CollectorRegistry) -> None:
        """Exposes `versions_deleted_total{log=...}` on the service's /metrics."""
        registry.register(_DeletedVersions(self))


class _DeletedVersions:
    def __init__(self, compactor: Compactor) -> None:
        self._compactor = compactor

    def collect(self) -> Iterable[CounterMetricFamily]:
        family = CounterMetricFamily("versions_deleted", "Superseded aggregate versions the compactor deleted",
                                     labels=["log"])
        family.add_metric([self._compactor._log.name], self._compactor.deleted)
        yield family


def _written_at(doc: dict) -> datetime:
    """A version stored before versions carried `written_at` (the notifier's members, moved into
    the shared log by shared.migrations.member_versions) is older than any retention."""
    return doc.get("written_at") or LONG_AGO
