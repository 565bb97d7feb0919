"""Aggregates stored as an append-only log of versions, each carrying its own outbox.

FerretDB v1 has neither multi-document transactions nor an atomic conditional update (its
updates read in Go and write back by `_id`, so two racing `update_one` calls both "match", and
even `$inc` loses increments — measured in tests/integration/test_ferretdb_atomicity.py). What
it does enforce atomically is a unique index on insert. So a change is an insert:

    {_id: "<key>#<version>", key, version, state, events: [...], published, written_at}

The insert of version n+1 succeeds for exactly one writer; a loser reloads and decides again.
The state an event caused and the events to publish are one document, so a crash either loses
both (the inbound message is redelivered) or neither (the events are published by the next
writer or by the relay). After publishing, a writer marks its version published and deletes the
versions before it (see `_retire`): each aggregate keeps one live document.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import NamedTuple
from datetime import datetime, timedelta

from pymongo import DESCENDING
from pymongo.errors import BulkWriteError
from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring.logging import get_logger
from shared.wiring.mongo import is_duplicate_key

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

    @property
    def id(self) -> str:
        return version_id(self.key, self.number)


def version_id(key: str, number: int) -> str:
    return f"{key}#{number:012d}"


class AggregateStore:
    def __init__(
        self,
        collection: AsyncCollection,
        publish: Publish,
        now: Callable[[], datetime],
    ) -> None:
        self._docs = collection
        self._publish = publish
        self._now = now

    async def ensure_indexes(self) -> None:
        await self._docs.create_index([("key", 1), ("version", DESCENDING)])
        await self._docs.create_index([("published", 1), ("written_at", 1)])

    async def load(self, key: str) -> Version:
        docs = await self._docs.find({"key": key}).sort("version", DESCENDING).limit(1).to_list()
        if not docs:
            return Version(key, 0, None, [], True)
        doc = docs[0]
        return Version(key, doc["version"], doc["state"], doc.get("events", []), doc.get("published", True))

    async def execute(self, key: str, decide: Decide, attempts: int = 100) -> Decision:
        """Load, decide, store as the next version (retrying if another writer won), publish."""
        for _ in range(attempts):
            current = await self.load(key)
            decision = decide(current.state)
            if not decision.events and decision.state == current.state:
                await self._finish(current)  # a redelivery: at most finish a crashed publish
                return decision
            try:
                stored = await self._insert_next(current, decision)
            except ConcurrentUpdate:
                await asyncio.sleep(0)
                continue
            await self._finish(current)
            await self._finish(stored, predecessor=current)
            return decision
        raise ConcurrentUpdate(f"aggregate {key} kept changing under us")

    async def execute_batch(self, changes: dict[str, Decide]) -> None:
        """One decision for each of many aggregates, with a handful of round trips in all:
        one load, one insert, one publish, one mark, one prune. An aggregate whose next version
        another writer took meanwhile goes through `execute` again on its own."""
        current = await self._load_many(list(changes))
        idle, written = [], []
        for key, decide in changes.items():
            decision = decide(current[key].state)
            if not decision.events and decision.state == current[key].state:
                idle.append(current[key])
            else:
                written.append(_next(current[key], decision))
        lost = await self._insert_many(written)
        won = [v for v in written if v.key not in lost]
        await self._finish_many([current[v.key] for v in won] + idle + won, pruned=[current[v.key] for v in won])
        for key in lost:
            await self.execute(key, changes[key])

    async def _load_many(self, keys: list[str]) -> dict[str, Version]:
        latest = {key: Version(key, 0, None, [], True) for key in keys}
        async for doc in self._docs.find({"key": {"$in": keys}}):
            if doc["version"] > latest[doc["key"]].number:  # the newest is never a tombstone
                latest[doc["key"]] = Version(doc["key"], doc["version"], doc["state"], doc.get("events", []),
                                             doc.get("published", True))
        return latest

    async def _insert_many(self, versions: list[Version]) -> set[str]:
        """Insert all; returns the keys whose version number another writer had taken."""
        if not versions:
            return set()
        try:
            await self._docs.insert_many([self._document(v) for v in versions], ordered=False)
        except BulkWriteError as error:
            failures = error.details.get("writeErrors", [])
            if any(f.get("code") != 11000 for f in failures):
                raise
            return {versions[f["index"]].key for f in failures}
        return set()

    async def _finish_many(self, versions: list[Version], pruned: list[Version]) -> None:
        unpublished = [v for v in versions if not v.published and v.events]
        if unpublished:
            await self._publish([event for v in unpublished for event in v.events])
            await self._docs.update_many({"_id": {"$in": [v.id for v in unpublished]}}, {"$set": {"published": True}})
        old = [v.id for v in pruned if v.number > 0]
        if old:
            await self._retire({"_id": {"$in": old}, "published": True})

    async def _retire(self, query: dict) -> None:
        """Drop superseded versions' state but keep their ids for a while.

        Deleting a version would free its number: a writer still holding the version before it
        could then insert "the next version" again and lose the change that superseded it.
        Tombstones keep the numbers taken; `collect_tombstones` deletes them long after any
        load-decide-insert cycle (milliseconds) could still be in flight.
        """
        await self._docs.update_many({**query, "retired_at": None},
                                     {"$set": {"state": None, "events": [], "retired_at": self._now()}})

    async def collect_tombstones(self, older_than: timedelta = timedelta(minutes=10)) -> None:
        await self._docs.delete_many({"retired_at": {"$lte": self._now() - older_than}})

    def _document(self, version: Version) -> dict:
        return {"_id": version.id, "key": version.key, "version": version.number, "state": version.state,
                "events": version.events, "published": version.published, "written_at": self._now(),
                **version.index}

    async def _insert_next(self, current: Version, decision: Decision) -> Version:
        stored = _next(current, decision)
        doc = self._document(stored)
        try:
            await self._docs.insert_one(doc)
        except Exception as error:
            if is_duplicate_key(error):
                raise ConcurrentUpdate(stored.id) from None
            raise
        return stored

    async def _finish(self, version: Version, predecessor: Version | None = None) -> None:
        """Publish a version's events if not yet done, then forget what came before it."""
        if not version.published and version.events:
            await self._publish(version.events)
            await self._docs.update_one({"_id": version.id}, {"$set": {"published": True}})
            version.published = True
        if predecessor is not None and predecessor.number > 0:
            await self._retire({"key": version.key, "version": {"$lt": version.number}, "published": True})

    async def relay_pending(self, older_than: timedelta = timedelta(seconds=2)) -> int:
        """Publish what crashed writers left unpublished, oldest first. Returns how many versions."""
        cutoff = self._now() - older_than
        query = {"published": False, "written_at": {"$lte": cutoff}}
        docs = await self._docs.find(query).sort([("key", 1), ("version", 1)]).to_list()
        for doc in docs:
            await self._finish(Version(doc["key"], doc["version"], doc["state"], doc["events"], False))
        return len(docs)

    async def run_relay(self, every: float = 1.0) -> None:
        while True:
            await self.collect_tombstones()
            flushed = await self.relay_pending()
            if flushed:
                log.info("outbox relay republished", versions=flushed)
            await asyncio.sleep(every)


def _next(current: Version, decision: Decision) -> Version:
    events = decision.events
    return Version(current.key, current.number + 1, decision.state, events, not events, decision.index)
