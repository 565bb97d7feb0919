"""Aggregates stored as an append-only log of versions, each carrying its own outbox.

FerretDB v1 has neither multi-document transactions nor an atomic conditional update (its
updates read in Go and write back by `_id`, so two racing `update_one` calls both "match", and
even `$inc` loses increments — tests/integration/test_ferretdb_atomicity.py). What it does
enforce atomically is a unique index on insert. So a change is an insert:

    {_id: "<key>#<version>", key, version, state, events: [...], pending | published, batch, written_at}

The insert of version n+1 succeeds for exactly one writer; a loser reloads and decides again.
The state an event caused and the events to publish are one document, so a crash either loses
both (the inbound message is redelivered) or neither (the events are published by the relay).
Which versions still have events to publish is kept beside the log, one entry per insert batch
(shared.wiring.pending_batches), written before the versions and removed once their events are
out; the log itself is never updated on that path. (Versions written before that carry
`published: false` until published; the relay looks for those once when it starts.)

Versions are never deleted: a deleted number could be inserted again by a writer holding an
older version, silently dropping the change that superseded it. That makes a stale read
harmless, so the latest version of each aggregate is cached in the process (FerretDB v1 answers
every query but an `_id` lookup with a scan); a stale entry only costs a lost insert and a reload.
"""

import asyncio
import json
import uuid
from contextlib import AsyncExitStack
from collections.abc import Awaitable, Callable, Collection
from itertools import groupby
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from cachetools import LRUCache
from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.wiring.locks import KeyedLocks
from shared.wiring.logging import get_logger
from shared.wiring.mongo import is_duplicate_key, only_duplicate_keys
from shared.wiring.pending_batches import PendingBatches, aware
from shared.wiring.tracing import current_traceparent, resumed

log = get_logger(__name__)

Publish = Callable[[list[dict]], Awaitable[None]]


class Decision(NamedTuple):
    state: dict
    events: list[dict]
    index: dict = {}  # extra top-level fields to query versions by (e.g. a due date)


# decide(state or None) -> Decision; raising leaves the aggregate untouched.
Decide = Callable[[dict | None], Decision]


class ConcurrentUpdate(Exception):
    """Another writer stored the next version first; reload and decide again."""


@dataclass
class Version:
    key: str
    number: int
    state: dict | None
    events: list[dict]
    published: bool
    index: dict = field(default_factory=dict)
    batch: str = ""  # the insert that stored it; a whole batch is marked published at once
    trace: str = ""  # W3C traceparent of the span that decided it: its events are published inside it

    @property
    def id(self) -> str:
        return version_id(self.key, self.number)


def version_id(key: str, number: int) -> str:
    return f"{key}#{number:012d}"


class LatestVersions:
    """A bounded cache of each aggregate's latest known version (least recently used out).

    States are kept as JSON bytes: a few kilobytes each instead of the tens a Python dict of
    the same state takes, so the cache stays small at tens of thousands of clients.
    """

    def __init__(self, size: int) -> None:
        self._entries: LRUCache[str, tuple] = LRUCache(size)

    def get(self, key: str) -> Version | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        number, state, events, published, batch, trace = entry
        return Version(key, number, _thaw(state), events, published, batch=batch, trace=trace)

    def put(self, version: Version) -> None:
        known = self._entries.get(version.key)
        if known is None or known[0] <= version.number:
            events = [] if version.published else version.events
            self._entries[version.key] = (version.number, _freeze(version.state), events, version.published,
                                          version.batch, version.trace)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def published(self, version: Version) -> None:
        entry = self._entries.get(version.key)
        if entry is not None and entry[0] == version.number:
            self._entries[version.key] = (entry[0], entry[1], [], True, entry[4], entry[5])


def _freeze(state: dict | None):
    try:
        return json.dumps(state, separators=(",", ":")).encode()
    except TypeError:
        return state  # not JSON-shaped (datetimes...): kept as it is


def _thaw(frozen):
    return json.loads(frozen) if isinstance(frozen, bytes) else frozen


class AggregateStore:
    def __init__(self, collection: AsyncCollection, publish: Publish, now: Callable[[], datetime],
                 cache_size: int = 20_000) -> None:
        self._docs = collection
        self._publish = publish
        self._now = now
        self._latest = LatestVersions(cache_size)
        self._pending = PendingBatches(collection.database[f"{collection.name}_pending"])
        self._legacy_relayed = False
        self._publishing: dict[str, asyncio.Future] = {}  # version id -> its publish in progress
        self._writers = KeyedLocks()

    async def ensure_indexes(self) -> None:
        await self._docs.create_index([("key", 1), ("version", DESCENDING)])
        await self._docs.create_index([("published", 1), ("written_at", 1)])

    async def load(self, key: str) -> Version:
        """The latest version (from the cache when it holds one)."""
        return self._latest.get(key) or await self._load_stored(key)

    async def _load_stored(self, key: str) -> Version:
        docs = await self._docs.find({"key": key}).sort("version", DESCENDING).limit(1).to_list()
        version = await self._from_stored(docs[0]) if docs else Version(key, 0, None, [], True)
        self._latest.put(version)
        return version

    async def _from_stored(self, doc: dict) -> Version:
        version = _from_document(doc)
        if doc.get("pending") and not doc.get("published"):
            version.published = not await self._pending.holds(version.batch)
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
                await self._finish([current])  # a redelivery: at most finish a crashed publish
                return decision
            stored = _next(current, decision)
            try:
                await self._insert(stored)
            except ConcurrentUpdate:
                self._latest.forget(key)
                await asyncio.sleep(0)
                continue
            await self._finish([current, stored], batch=stored.batch)
            return decision
        raise ConcurrentUpdate(f"aggregate {key} kept changing under us")

    async def execute_batch(self, changes: dict[str, Decide]) -> None:
        """One decision for each of many aggregates in a few round trips: the insert of every
        new version, one publish, the insert and delete of its pending entry. A key the cache does not know is tried as a new
        aggregate; if it was not new, or another writer got there first, it goes through
        `execute` on its own.

        Writers of this process take turns per aggregate (the bookings service writes one from
        two subscribers at once): racing, the loser of each insert reloaded from FerretDB, a
        scan of the log, and tried again alone, which under load made a batch take seconds.
        """
        async with AsyncExitStack() as held:
            for key in sorted(changes):  # one order for everyone: no two batches wait on each other
                await held.enter_async_context(self._writers.hold(key))
            await self._execute_batch(changes)

    async def _execute_batch(self, changes: dict[str, Decide]) -> None:
        current = {key: self._latest.get(key) or Version(key, 0, None, [], True) for key in changes}
        idle, written = [], []
        for key, decide in changes.items():
            decision = decide(current[key].state)
            if not decision.events and decision.state == current[key].state:
                idle.append(current[key])
            else:
                written.append(_next(current[key], decision))
        lost = await self._insert_many(written)
        won = [v for v in written if v.key not in lost]
        await self._finish(idle + [current[v.key] for v in won] + won, batch=won[0].batch if won else None)
        for key in lost:
            self._latest.forget(key)
            await self._execute(key, changes[key], attempts=100)

    async def _insert(self, version: Version) -> None:
        version.batch = uuid.uuid4().hex
        if version.events:
            await self._pending.add(version.batch, self._now())
        try:
            await self._docs.insert_one(self._document(version))
        except Exception as error:
            if is_duplicate_key(error):
                if version.events:
                    await self._pending.done([version.batch])  # nothing of it was stored
                raise ConcurrentUpdate(version.id) from None
            raise
        self._latest.put(version)

    async def _insert_many(self, versions: list[Version]) -> set[str]:
        """Insert all; returns the keys whose version number was already taken."""
        if not versions:
            return set()
        batch, lost = uuid.uuid4().hex, set()
        for version in versions:
            version.batch = batch
        eventful = any(v.events for v in versions)
        if eventful:
            await self._pending.add(batch, self._now())
        try:
            await self._docs.insert_many([self._document(v) for v in versions], ordered=False)
        except BulkWriteError as error:
            if not only_duplicate_keys(error):
                raise
            lost = {versions[f["index"]].key for f in error.details["writeErrors"]}
        for version in versions:
            if version.key not in lost:
                self._latest.put(version)
        if eventful and not any(v.events for v in versions if v.key not in lost):
            await self._pending.done([batch])  # what had events to publish was not stored
        return lost

    async def _finish(self, versions: list[Version], batch: str | None = None,
                      complete: Collection[str] = ()) -> None:
        """Publish what these versions have not published yet, in order, then mark them.

        `batch` (every version of it that has events is among `versions`) and the batches in
        `complete` are marked by removing their pending entry. A version of another batch, one
        a crash left behind, is marked on its own in the log: publishing it does not tell
        whether the rest of its batch is out.
        """
        unpublished = [v for v in versions if not v.published and v.events and not await self._out_meanwhile(v)]
        if not unpublished:
            return
        out = asyncio.get_running_loop().create_future()
        for version in unpublished:
            self._publishing.setdefault(version.id, out)
        try:
            await self._publish_and_mark(unpublished, set(complete) | ({batch} if batch else set()))
            out.set_result(True)
        finally:
            if not out.done():
                out.set_result(False)
            for version in unpublished:
                if self._publishing.get(version.id) is out:
                    del self._publishing[version.id]

    async def _out_meanwhile(self, version: Version) -> bool:
        """Whether another task of this process (the relay, or the writer the relay caught in
        flight) was publishing this version, and did: publishing it again would be a repeat,
        and marking it alone a scan of the log."""
        publishing = self._publishing.get(version.id)
        return publishing is not None and await asyncio.shield(publishing)

    async def _publish_and_mark(self, unpublished: list[Version], whole: set[str]) -> None:
        for trace, traced in groupby(unpublished, key=lambda v: v.trace):
            with resumed(trace):  # a relay's republish continues the trace that caused the events
                await self._publish([event for v in traced for event in v.events])
        await self._pending.done([b for b in whole if any(v.batch == b for v in unpublished)])
        for version in unpublished:
            if version.batch not in whole:
                await self._docs.update_one({"_id": version.id}, {"$set": {"published": True}})
            version.published = True
            self._latest.published(version)

    def _document(self, version: Version) -> dict:
        outbox = {"pending": True} if version.events and not version.published else {"published": True}
        return {"_id": version.id, "key": version.key, "version": version.number, "state": version.state,
                "events": version.events, **outbox, "batch": version.batch, "written_at": self._now(),
                **({"trace": version.trace} if version.trace else {}), **version.index}

    async def relay_pending(self, older_than: timedelta = timedelta(seconds=2)) -> int:
        """Publish what crashed writers left unpublished, oldest first. Returns how many versions."""
        cutoff = self._now() - older_than
        stale = await self._pending.older_than(cutoff)
        docs = [doc for batch in stale for doc in await self._docs.find({"batch": batch}).to_list()]
        if not self._legacy_relayed:  # versions marked the old way, once per process
            docs += [d for d in await self._docs.find({"published": False}).to_list() if aware(d["written_at"]) <= cutoff]
            self._legacy_relayed = True
        pending = sorted((_from_document(d) for d in docs if not d.get("published")), key=lambda v: (v.key, v.number))
        await self._finish(pending, complete=stale)
        await self._pending.done([b for b in stale if all(v.batch != b for v in pending)])  # none stored
        return len(pending)

    async def run_relay(self, every: float = 2.0) -> None:
        while True:
            flushed = await self.relay_pending()
            if flushed:
                log.info("outbox relay republished", versions=flushed)
            await asyncio.sleep(every)


def _next(current: Version, decision: Decision) -> Version:
    events = decision.events
    return Version(current.key, current.number + 1, decision.state, events, not events, decision.index,
                   trace=current_traceparent() if events else "")


def _from_document(doc: dict) -> Version:
    """The version as stored; one still `pending` is taken as unpublished (see _from_stored)."""
    published = doc.get("published", not doc.get("pending", False))
    return Version(doc["key"], doc["version"], doc["state"], doc.get("events", []), published,
                   batch=doc.get("batch", ""), trace=doc.get("trace", ""))
