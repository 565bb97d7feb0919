"""Reads of the reports: one `find` with a filter, a sort and a limit per page, a cursor for CSV,
and two `$match`/`$group`/`$sum` aggregations for balance movements (all valid on FerretDB v1)."""

from collections.abc import AsyncIterator
from services.reports.criteria import after_key, all_of
from services.reports.domain.ordering import Order, Segment, segments_after
from services.reports.store import Generational

STREAM_BATCH = 500


class ReportQueries(Generational):
    """Reads of the live generation (`generation()` is asked at every read)."""

    async def page(self, collection: str, criteria: dict, order: Order, after: list | None, limit: int) -> list[dict]:
        """Up to limit + 1 rows after `after`: the extra one tells whether a next page exists."""
        rows = getattr(self, collection)
        found = rows.find(all_of(criteria, after_key(order, after))).sort(list(order.keys)).limit(limit + 1)
        return await found.to_list()

    async def page_by_segments(self, collection: str, criteria: dict, order: Order, segments: list[Segment],
                               after: list | None, limit: int) -> list[dict]:
        """`page` for a sort on a computed column: one query per value, until the page is full."""
        found, name = [], order.names[0]
        for value, where, tail in segments_after(order, segments, after):
            query = all_of(criteria, where, after_key(order.rest, tail))
            rows = getattr(self, collection).find(query).sort(list(order.rest.keys)).limit(limit + 1 - len(found))
            found += [{**row, name: value} for row in await rows.to_list()]
            if len(found) > limit:
                break
        return found

    async def stream(self, collection: str, criteria: dict, order: Order,
                     segments: list[Segment] | None = None) -> AsyncIterator[dict]:
        for value, where, _ in segments_after(order, segments, None) if segments else [(None, {}, None)]:
            sort = order.rest.keys if segments else order.keys
            async with getattr(self, collection).find(all_of(criteria, where)).sort(list(sort)).batch_size(
                    STREAM_BATCH) as rows:
                async for row in rows:
                    yield row

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
        """Every location's folded record (shared.locations): a few documents."""
        return {d["_id"]: {k: v for k, v in d.items() if k != "_id"} async for d in self.locations.find({})}

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
