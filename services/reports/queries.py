"""Reads of the reports, in query shapes FerretDB v1 serves from an index (see `criteria`).

A page of one location is one `find` with the location equality, the filter, a sort and a limit.
A page of several locations is one such query per location, run side by side and merged in
order, bounded by the page size: three locations cost about three location pages, whatever the
size of the brand. The brand (no location) is one query without an equality: on FerretDB that
reads every row of the collection once (linear in the brand's size), on MongoDB an index.
CSV streams the same queries through cursors, merged the same way, so memory stays flat.
"""

import asyncio
import heapq
from collections.abc import AsyncIterator
from datetime import datetime
from functools import partial
from itertools import islice

from services.reports.criteria import after_key, all_of, scopes, sums_scope
from services.reports.domain.ordering import Order, Segment, rank, segments_after
from services.reports.store import Generational

STREAM_BATCH = 500


class ReportQueries(Generational):
    """Reads of the live generation (`generation()` is asked at every read)."""

    async def page(self, collection: str, locations: list[str] | None, criteria: dict, order: Order,
                   after: list | None, limit: int, segments: list[Segment] | None = None) -> list[dict]:
        """Up to limit + 1 rows after `after` (the extra one tells whether a next page exists), of
        `locations` (None: the brand); `segments` for a sort on a computed column."""
        read = partial(self._segmented if segments else self._sorted, collection, criteria, order, after, limit,
                       segments)
        pages = await asyncio.gather(*(read(scope) for scope in scopes(locations)))
        if len(pages) < 2:
            return pages[0] if pages else []
        return list(islice(heapq.merge(*pages, key=partial(rank, order)), limit + 1))

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
        """Newest first, `before` a sequence to continue after."""
        older = {"sequence": {"$lt": before}} if before is not None else {}
        query = all_of({"location_id": location_id, "client_id": client_id}, older)
        return await self.entries.find(query).sort("sequence", -1).limit(limit + 1).to_list()

    async def sums_before(self, locations: list[str] | None, instant: datetime) -> dict:
        """{(location, currency): sum of amounts} of the entries dated before `instant`."""
        grouped = await self._sums(locations, {"$lt": instant}, {"location_id": "$location_id", "currency": "$currency"})
        return {(g["_id"]["location_id"], g["_id"]["currency"]): g["total"] for g in grouped}

    async def sums_by_type(self, locations: list[str] | None, start: datetime, end: datetime) -> dict:
        """{(location, currency, type): sum of amounts} of the entries dated in [start, end)."""
        group = {"location_id": "$location_id", "currency": "$currency", "type": "$type"}
        grouped = await self._sums(locations, {"$gte": start, "$lt": end}, group)
        return {(g["_id"]["location_id"], g["_id"]["currency"], g["_id"]["type"]): g["total"] for g in grouped}

    async def _sums(self, locations: list[str] | None, instants: dict, group: dict) -> list[dict]:
        """One aggregation per location (each pushes its equality), or one for the brand."""
        each = await asyncio.gather(*(self._sum(sums_scope(location, instants), group)
                                      for location in ([None] if locations is None else locations)))
        return [g for grouped in each for g in grouped]

    async def _sum(self, match: dict, group: dict) -> list[dict]:
        pipeline = [{"$match": match}, {"$group": {"_id": group, "total": {"$sum": "$amount_minor"}}}]
        return await (await self.entries.aggregate(pipeline)).to_list()


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
