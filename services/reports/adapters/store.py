"""The reports' read models in MongoDB: one document per row a report shows."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from cachetools import LRUCache

from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.reports.domain.folding import PROFILED, VERSIONED, Fold, Row
from services.reports.domain.generations import FIRST
from services.reports.adapters.generations import Generational, on_ferretdb
from services.reports.adapters.profiles import PROFILES_CACHED, NewRowCopy, apply_profile
from services.reports.domain.indexes import ENTRIES, REPORTS, collection_indexes
from shared.locations import folded as folded_location
from pymongo.errors import BulkWriteError

from shared.wiring.mongo import only_duplicate_keys
from shared.wiring.projection import upsert_if_newer

LOCATION = "location"  # `type` of the meta documents naming each location with rows
ROWS_CACHED = 200_000  # per collection
CONCURRENT_WRITES = 8


class ReportsStore(Generational):
    """Applies folded batches (see domain.folding) to the live generation's collections."""

    def __init__(self, db: AsyncDatabase, generation: Callable[[], int] = lambda: FIRST) -> None:
        super().__init__(db, generation)
        # One batch at a time: rows carry copies of the profile, so a profile change and a row
        # write of the same client must not interleave. Another instance's may: profiles are
        # written at a revision, and a new row checks the profile once after its insert
        # (adapters/profiles.py, docs/instances.md).
        self.writing = asyncio.Lock()
        self.caches: dict[int, WriteCache] = {}

    async def ensure_indexes(self) -> None:
        for rows in (self.packages, self.periods, self.memberships):
            await rows.create_index([("location_id", 1), ("client_id", 1)])
        await self.clients.create_index([("location_id", 1), ("client_id", 1)], unique=True)
        await self.accounts.create_index([("location_id", 1), ("client_id", 1)])
        await self.entries.create_index([("location_id", 1), ("client_id", 1), ("sequence", 1)], unique=True)
        await self.entries.create_index([("at", 1)])
        if not await on_ferretdb(self.db):
            await self._ensure_report_indexes()

    async def _ensure_report_indexes(self) -> None:
        """MongoDB: an index for each report page's filter + sort + limit (domain.indexes). FerretDB
        v1 sorts in Go whatever the indexes, so there they would only slow every write."""
        for base in REPORTS:
            await self.rows(base).create_indexes([IndexModel(list(keys)) for keys in collection_indexes(base)])
        await self.entries.create_indexes([IndexModel(list(keys)) for keys in ENTRIES])

    async def apply(self, folded: Fold) -> None:
        """Store a folded batch: profiles first (rows copy them), then rows and entries, then `as_of`.

        A crash anywhere leaves rows at a version the redelivered batch moves forward or leaves
        alone, and entries that are inserted again are already there: applying twice is applying once.
        """
        async with self.writing:
            generation = self.generation()  # one generation for the whole batch, even across a switch
            view, cache = Generational(self.db, lambda: generation), self._cache(generation)
            await self._note_locations(view, cache, folded.written_locations())  # before their rows: a page misses none
            await _gather(apply_profile(view, cache.profiles, owner, profile)
                          for owner, profile in folded.profiles.items())
            for base in VERSIONED:
                await _gather(self._write_row(view.rows(base), cache.versions[base], key, row,
                                              NewRowCopy(view.clients, cache.profiles, row.owner)
                                              if base in PROFILED else None)
                              for key, row in folded.rows[base].items())
            await _insert_new(view.entries, folded.entries)
            await _gather(_apply_location(view.locations, location_id, events)
                          for location_id, events in folded.locations.items())
            if folded.as_of is not None:
                await self._advance_as_of(view, cache, folded.as_of)

    def _cache(self, generation: int) -> "WriteCache":
        if generation not in self.caches:
            self.caches = {generation: WriteCache()}  # another generation's knowledge is of no use
        return self.caches[generation]

    @staticmethod
    async def _write_row(rows: AsyncCollection, versions: LRUCache, key: str, row: Row,
                         copy: NewRowCopy | None) -> None:
        """Store the row unless the stored one is as new. `versions` holds, per key, a version the
        stored row has at least (only ever learnt from a write that succeeded), so a redelivered
        batch costs nothing; otherwise a stored row takes one conditional update, and a missing one
        (new, or gone behind the cache's back) an insert after it, with the profile's copy."""
        known = versions.get(key)
        if known is not None and known >= row.version:
            return
        await upsert_if_newer(rows, key, row.version, row.fields, on_insert=copy.first if copy else None)
        versions[key] = max(known or 0, row.version)
        if copy is not None:
            await copy.settle(rows, key)

    @staticmethod
    async def _note_locations(view: Generational, cache: "WriteCache", locations: set[str]) -> None:
        """One `meta` document per location with rows (the brand's pages query them one by one):
        an insert each, so writers side by side can never lose one (FerretDB v1 would lose a
        `$addToSet` to a concurrent one: it reads and writes back in Go)."""
        new = sorted(locations - cache.locations)
        if new:
            await _insert_new(view.meta, {location_key(l): {"type": LOCATION, "location_id": l} for l in new})
            cache.locations.update(new)

    async def _advance_as_of(self, view: Generational, cache: "WriteCache", occurred_at: datetime) -> None:
        """`$max` is read and written back by FerretDB v1, so racing writers could lower it; the
        store's one writer skips what it already stored."""
        if cache.as_of is not None and occurred_at <= cache.as_of:
            return
        await view.meta.update_one({"_id": "as_of"}, {"$max": {"at": occurred_at}}, upsert=True)
        cache.as_of = occurred_at

    async def client_packages(self, location_id: str, client_id: str) -> list[dict]:
        query = {"location_id": location_id, "client_id": client_id}
        return await self.packages.find(query).sort("package_id", 1).to_list()

    async def client_periods(self, location_id: str, client_id: str) -> list[dict]:
        query = {"location_id": location_id, "client_id": client_id}
        return await self.periods.find(query).to_list()

    async def client_memberships(self, location_id: str, client_id: str) -> list[dict]:
        query = {"location_id": location_id, "client_id": client_id}
        return await self.memberships.find(query).to_list()

    async def as_of(self) -> datetime | None:
        doc = await self.meta.find_one({"_id": "as_of"})
        return doc["at"] if doc else None


@dataclass
class WriteCache:
    """What the writer knows of one generation: an accelerator only; the database stays the truth.

    Bounded (least recently used) so memory stays flat in the number of rows; a key it has
    forgotten costs one read or one extra write, never a wrong row."""

    profiles: LRUCache = field(default_factory=lambda: LRUCache(PROFILES_CACHED))  # key -> profiles.Stored
    versions: dict[str, LRUCache] = field(default_factory=lambda: {base: LRUCache(ROWS_CACHED) for base in VERSIONED})
    as_of: datetime | None = None
    locations: set[str] = field(default_factory=set)  # those with their `meta` document


async def _apply_location(locations: AsyncCollection, location_id: str, events: list) -> None:
    """The location's record with the events folded in (last writer wins per field, so a
    redelivery or an old event changes nothing): one write per location per batch, whatever
    the number of its clients, whose rows join the name and zone in when read."""
    stored = await locations.find_one({"_id": location_id})
    record = {k: v for k, v in (stored or {}).items() if k != "_id"} or None
    for event in events:
        record = folded_location(record, event)
    if stored is None or record != {k: v for k, v in stored.items() if k != "_id"}:
        await locations.replace_one({"_id": location_id}, record, upsert=True)


def location_key(location_id: str) -> str:
    return f"{LOCATION}|{location_id}"


async def _insert_new(rows: AsyncCollection, documents: dict[str, dict]) -> None:
    """Documents that never change (ledger entries, the locations' marks) are inserted in one
    command (on FerretDB an insert of 500 documents costs about what two single updates do); the
    ones a redelivered batch inserts again are refused as duplicates and left as they are."""
    if not documents:
        return
    try:
        await rows.insert_many([{"_id": key, **document} for key, document in documents.items()], ordered=False)
    except BulkWriteError as error:
        if not only_duplicate_keys(error):
            raise


async def _gather(calls: Iterable[Awaitable]) -> list:
    """Run the writes of a batch side by side, at most CONCURRENT_WRITES at once (FerretDB v1
    stalls when a burst exhausts its PostgreSQL pool)."""
    limit = asyncio.Semaphore(CONCURRENT_WRITES)

    async def limited(call: Awaitable):
        async with limit:
            return await call

    return await asyncio.gather(*(limited(call) for call in calls))
