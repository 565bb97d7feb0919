"""Reads of the reports, in query shapes FerretDB v1 serves from an index (see `criteria`).

A page of one location is one `find` with the location equality, the filter, a sort and a limit.
A page of several locations is one such query per location, run side by side and merged in
order, bounded by the page size: three locations cost about three location pages, whatever the
size of the brand. The brand (no location) is, on FerretDB, one query per location with rows (the list
the projection keeps), or one query without an equality beyond BRAND_BY_LOCATION_MAX locations:
either reads every row of the brand once, linear in its size. On MongoDB it is one query served by an index.
CSV streams through cursors, several locations merged the same way, the brand as one cursor, so
memory stays flat.
"""

import asyncio
import heapq
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import datetime
from functools import partial
from itertools import islice

from services.reports.adapters.criteria import after_key, all_of, scopes
from services.reports.domain.ordering import Order, Segment, rank, segments_after
from services.reports.adapters.generations import Generational, on_ferretdb
from services.reports.adapters.store import LOCATION

STREAM_BATCH = 500
CONCURRENT_READS = 8  # FerretDB v1 stalls when a burst exhausts its PostgreSQL pool
LOCATIONS_FRESH_SECONDS = 1.0  # a rename shows within a second, as a write through another instance
BRAND_BY_LOCATION_MAX = 500  # beyond, the pages held at once (limit + 1 rows each) would outweigh a scan


class ReportQueries(Generational):
    """Reads of the live generation (`generation()` is asked at every read)."""

    _recent_locations: tuple[str, float, dict] | None = None  # (collection, when read, records)
    brand_by_location = False  # set by `configure`: on FerretDB, a brand page is one query per location

    async def configure(self) -> None:
        """On FerretDB v1 the brand's page is one query per location (each its location's rows, side
        by side), which reads less than the one scan sorted in Go (docs/reports-at-scale.md); on
        MongoDB one query reads one index, never the brand's rows."""
        self.brand_by_location = await on_ferretdb(self.db)

    async def page(self, collection: str, locations: list[str] | None, criteria: dict, order: Order,
                   after: list | None, limit: int, segments: list[Segment] | None = None) -> list[dict]:
        """Up to limit + 1 rows after `after` (the extra one tells whether a next page exists), of
        `locations` (None: the brand); `segments` for a sort on a computed column."""
        read = partial(self._segmented if segments else self._sorted, collection, criteria, order, after, limit,
                       segments)
        pages = await _bounded(read(scope) for scope in await self._page_scopes(locations))
        if len(pages) < 2:
            return pages[0] if pages else []
        return list(islice(heapq.merge(*pages, key=partial(rank, order)), limit + 1))

    async def _page_scopes(self, locations: list[str] | None) -> list[dict]:
        if locations is None and self.brand_by_location:
            known = await self.known_locations()
            if len(known) <= BRAND_BY_LOCATION_MAX:
                return scopes(known)
        return scopes(locations)

    async def known_locations(self) -> list[str]:
        """Every location with rows, in order (each marked in `meta` before its first rows)."""
        return sorted(doc["location_id"] for doc in await self.meta.find({"type": LOCATION}).to_list())

    async def _sorted(self, collection: str, criteria: dict, order: Order, after: list | None, limit: int,
                      _segments, scope: dict) -> list[dict]:
        query = all_of(scope, criteria, after_key(order, after))
        return await self._find(collection, query, order, scope).limit(limit + 1).to_list()

    async def _segmented(self, collection: str, criteria: dict, order: Order, after: list | None, limit: int,
                         segments: list[Segment], scope: dict) -> list[dict]:
        """One query per value of the computed column, in order, until the page is full."""
        found, name = [], order.names[0]
        for value, where, tail in segments_after(order, segments, after):
            query = all_of(scope, criteria, where, after_key(order.rest, tail))
            rows = self._find(collection, query, order.rest, scope).limit(limit + 1 - len(found))
            found += [{**row, name: value} for row in await rows.to_list()]
            if len(found) > limit:
                break
        return found

    def _find(self, collection: str, query: dict, order: Order, scope: dict):
        """The sort leaves out what the scope fixes (one location's `location_id`): it orders nothing."""
        return getattr(self, collection).find(query).sort([key for key in order.keys if key[0] not in scope])

    async def stream(self, collection: str, locations: list[str] | None, criteria: dict, order: Order,
                     segments: list[Segment] | None = None) -> AsyncIterator[dict]:
        """Every matching row in order, a batch at a time."""
        streams = [self._stream(collection, all_of(scope, criteria), order, segments, scope)
                   for scope in scopes(locations)]
        merged = streams[0] if len(streams) == 1 else merge_sorted(streams, partial(rank, order))  # [] merges to nothing
        async for row in merged:
            yield row

    async def _stream(self, collection: str, criteria: dict, order: Order, segments: list[Segment] | None,
                      scope: dict) -> AsyncIterator[dict]:
        name = order.names[0]
        for value, where, _ in segments_after(order, segments, None) if segments else [(None, {}, None)]:
            within = order.rest if segments else order
            async with self._find(collection, all_of(criteria, where), within, scope).batch_size(STREAM_BATCH) as rows:
                async for row in rows:
                    yield {**row, name: value} if segments else row

    async def balances(self, location_id: str, client_ids: list[str]) -> dict[str, dict]:
        """client_id -> account row of these clients at one location (the location pushed down)."""
        if not client_ids:
            return {}
        rows = await self.accounts.find({"location_id": location_id, "client_id": {"$in": client_ids}}).to_list()
        return {row["client_id"]: row for row in rows}

    async def history(self, location_id: str, client_id: str, before: int | None, limit: int) -> list[dict]:
        """Newest first, `before` a sequence to continue after. One flat filter: FerretDB pushes
        its two top-level equalities to PostgreSQL (inside `$and` it would push nothing and scan
        every entry of the brand); the range and the sort on the indexed sequence run over that
        one client's entries."""
        query: dict = {"location_id": location_id, "client_id": client_id}
        if before is not None:
            query["sequence"] = {"$lt": before}
        return await self.entries.find(query).sort("sequence", -1).limit(limit + 1).to_list()

    async def location_records(self) -> dict[str, dict]:
        """Every location's folded record (shared.locations): a few documents, read again at most
        once a second. Every request needs them (names, zones) and they change rarely, so a read
        per request would be most of the reports' finds (docs/benchmarks.md)."""
        collection, now = self.locations, time.monotonic()
        recent = self._recent_locations
        if recent is not None and recent[0] == collection.name and now - recent[1] < LOCATIONS_FRESH_SECONDS:
            return recent[2]
        records = {d["_id"]: {k: v for k, v in d.items() if k != "_id"} async for d in collection.find({})}
        self._recent_locations = (collection.name, now, records)
        return records

    async def each_location(self, locations: list[str], read: Callable[[list[str]], Awaitable]) -> list:
        """`read([location])` for each location, a few at once: each query keeps its location as a
        top-level equality, which FerretDB sends to PostgreSQL, where an `$in` would scan them all."""
        return await _bounded(read([location]) for location in locations)

    async def sums_before(self, match: dict) -> dict:
        """{(location, currency): sum of amounts} of the entries `match` selects (criteria.entries_before)."""
        grouped = await self._sum(match, {"location_id": "$location_id", "currency": "$currency"})
        return {(g["_id"]["location_id"], g["_id"]["currency"]): g["total"] for g in grouped}

    async def sums_by_type(self, match: dict) -> dict:
        """{(location, currency, type): sum of amounts} of the entries `match` selects (criteria.entries_within)."""
        grouped = await self._sum(match, {"location_id": "$location_id", "currency": "$currency", "type": "$type"})
        return {(g["_id"]["location_id"], g["_id"]["currency"], g["_id"]["type"]): g["total"] for g in grouped}

    async def _sum(self, match: dict, group: dict) -> list[dict]:
        pipeline = [{"$match": match}, {"$group": {"_id": group, "total": {"$sum": "$amount_minor"}}}]
        return await (await self.entries.aggregate(pipeline)).to_list()


async def _bounded(calls: Iterable[Awaitable]) -> list:
    limit = asyncio.Semaphore(CONCURRENT_READS)

    async def one(call: Awaitable):
        async with limit:
            return await call

    return await asyncio.gather(*(one(call) for call in calls))


async def merge_sorted(streams: list[AsyncIterator[dict]], key) -> AsyncIterator[dict]:
    """A k-way merge of streams each already in `key` order (heapq.merge, for async iterators):
    at most one row per stream is held."""
    heads = []
    for i, stream in enumerate(streams):
        await _push(heads, i, stream, key)
    while heads:
        _, i, row, stream = heapq.heappop(heads)
        yield row
        await _push(heads, i, stream, key)


async def _push(heads: list, i: int, stream: AsyncIterator[dict], key) -> None:
    row = await anext(stream, None)
    if row is not None:
        heapq.heappush(heads, (key(row), i, row, stream))
