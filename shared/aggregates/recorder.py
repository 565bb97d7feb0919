"""The recorder: stores the next version of an aggregate with a unique insert.

FerretDB v1 has neither multi-document transactions nor an atomic conditional update (its
updates read in Go and write back by `_id`, so two racing `update_one` calls both "match", and
even `$inc` loses increments: tests/integration/test_ferretdb_atomicity.py). What it does
enforce atomically is a unique index on insert, so the insert of version n+1 succeeds for
exactly one writer; a loser reloads and decides again. A deleted number could be inserted
again by a writer holding an older version, silently dropping the change that superseded it:
superseded versions are removed only by the compactor (shared.aggregates.compaction), long after
any writer may still believe in the version before them; the recorder tells it what it wrote.

A version with events is written after its batch's entry in the outbox's index
(shared.aggregates.pending_batches), so a crash at any point leaves a trace for the relay.
"""

import uuid
from collections.abc import Callable
from datetime import datetime

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.wiring.mongo import is_duplicate_key, only_duplicate_keys
from shared.aggregates.pending_batches import PendingBatches
from shared.aggregates.versions import ConcurrentUpdate, Version, first_version, from_document


Written = Callable[[str, int, datetime], None]  # (key, version number, written_at) of a stored version


def _ignore(key: str, number: int, at: datetime) -> None:
    pass


class VersionRecorder:
    def __init__(self, collection: AsyncCollection, pending: PendingBatches, now: Callable[[], datetime],
                 written: Written = _ignore) -> None:
        self.docs = collection
        self._pending = pending
        self._now = now
        self._written = written

    async def ensure_indexes(self) -> None:
        await self.docs.create_index([("key", 1), ("version", DESCENDING)])
        await self.docs.create_index([("published", 1), ("written_at", 1)])

    async def latest(self, key: str) -> Version:
        docs = await self.docs.find({"key": key}).sort("version", DESCENDING).limit(1).to_list()
        return await self.stored(docs[0]) if docs else first_version(key)

    async def stored(self, doc: dict) -> Version:
        version = from_document(doc)
        if doc.get("pending") and not doc.get("published"):
            version.published = not await self._pending.holds(version.batch)
        return version

    async def of_batch(self, batch: str) -> list[Version]:
        return [from_document(doc) for doc in await self.docs.find({"batch": batch}).to_list()]

    async def insert(self, version: Version) -> None:
        """ConcurrentUpdate if another writer stored this version number first."""
        version.batch = uuid.uuid4().hex
        if version.events:
            await self._pending.add(version.batch, self._now())
        at = self._now()
        try:
            await self.docs.insert_one(self._document(version, at))
        except Exception as error:
            if is_duplicate_key(error):
                if version.events:
                    await self._pending.done([version.batch])  # nothing of it was stored
                raise ConcurrentUpdate(version.id) from None
            raise
        self._written(version.key, version.number, at)

    async def insert_many(self, versions: list[Version]) -> set[str]:
        """Insert all as one batch; returns the keys whose version number was already taken."""
        if not versions:
            return set()
        batch, lost = uuid.uuid4().hex, set()
        for version in versions:
            version.batch = batch
        eventful = any(v.events for v in versions)
        if eventful:
            await self._pending.add(batch, self._now())
        at = self._now()
        try:
            await self.docs.insert_many([self._document(v, at) for v in versions], ordered=False)
        except BulkWriteError as error:
            if not only_duplicate_keys(error):
                raise
            lost = {versions[f["index"]].key for f in error.details["writeErrors"]}
        for version in versions:
            if version.key not in lost:
                self._written(version.key, version.number, at)
        if eventful and not any(v.events for v in versions if v.key not in lost):
            await self._pending.done([batch])  # what had events to publish was not stored
        return lost

    async def mark_published(self, version: Version) -> None:
        """Only for a version whose batch cannot be marked whole (one a crash left behind)."""
        await self.docs.update_one({"_id": version.id}, {"$set": {"published": True}})

    def _document(self, version: Version, at: datetime) -> dict:
        outbox = {"pending": True} if version.events and not version.published else {"published": True}
        return {"_id": version.id, "key": version.key, "version": version.number, "state": version.state,
                "events": version.events, **outbox, "batch": version.batch, "written_at": at,
                **({"trace": version.trace} if version.trace else {}), **version.index}
