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
versions before it: each aggregate keeps one or two documents.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring.logging import get_logger
from shared.wiring.mongo import is_duplicate_key

log = get_logger(__name__)

Publish = Callable[[list[dict]], Awaitable[None]]
# decide(state or None) -> (new state, events); raising leaves the aggregate untouched.
Decide = Callable[[dict | None], tuple[dict, list[dict]]]


class ConcurrentUpdate(Exception):
    """Another writer stored the next version first; reload and decide again."""


@dataclass
class Version:
    key: str
    number: int
    state: dict | None
    events: list[dict]
    published: bool

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
        index: Callable[[dict], dict] = lambda state: {},
    ) -> None:
        """`index(state)` gives extra top-level fields to query versions by (e.g. a due date)."""
        self._docs = collection
        self._publish = publish
        self._now = now
        self._index = index

    async def ensure_indexes(self) -> None:
        await self._docs.create_index([("key", 1), ("version", DESCENDING)])
        await self._docs.create_index([("published", 1), ("written_at", 1)])

    async def load(self, key: str) -> Version:
        docs = await self._docs.find({"key": key}).sort("version", DESCENDING).limit(1).to_list()
        if not docs:
            return Version(key, 0, None, [], True)
        doc = docs[0]
        return Version(key, doc["version"], doc["state"], doc.get("events", []), doc.get("published", True))

    async def execute(self, key: str, decide: Decide, attempts: int = 100) -> tuple[dict, list[dict]]:
        """Load, decide, store as the next version (retrying if another writer won), publish."""
        for _ in range(attempts):
            current = await self.load(key)
            state, events = decide(current.state)
            if not events and state == current.state:
                await self._finish(current)  # a redelivery: at most finish a crashed publish
                return state, events
            try:
                stored = await self._insert_next(current, state, events)
            except ConcurrentUpdate:
                await asyncio.sleep(0)
                continue
            await self._finish(current)
            await self._finish(stored, predecessor=current)
            return state, events
        raise ConcurrentUpdate(f"aggregate {key} kept changing under us")

    async def _insert_next(self, current: Version, state: dict, events: list[dict]) -> Version:
        stored = Version(current.key, current.number + 1, state, events, not events)
        doc = {"_id": stored.id, "key": stored.key, "version": stored.number, "state": state, "events": events,
               "published": stored.published, "written_at": self._now(), **self._index(state)}
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
            await self._docs.delete_many({"key": version.key, "version": {"$lt": version.number}, "published": True})

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
            flushed = await self.relay_pending()
            if flushed:
                log.info("outbox relay republished", versions=flushed)
            await asyncio.sleep(every)
