"""Report answers: a JSON page `{items, next_cursor, as_of}` or every matching row as CSV."""

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Awaitable, Iterable
from datetime import date

from fastapi.responses import Response, StreamingResponse

from services.reports.domain import csv_export
from services.reports.domain.errors import InvalidParameter
from services.reports.domain.locations import Places
from services.reports.domain.ordering import Order, Segment, decode_cursor, encode_cursor
from services.reports.domain.paging import page_in_memory
from services.reports.domain.reports import ReportSpec, present
from services.reports.entrypoints.dependencies import Reading
from services.reports.entrypoints.listing import Listing, today
from shared.wiring.http import unprocessable

CSV_CHUNK_ROWS = 200


async def guarded(answer: Awaitable) -> Response | dict:
    try:
        return await answer
    except InvalidParameter as error:
        return unprocessable(error.field, error.message, "query")


async def places_now(reads: Reading) -> Places:
    """Every location's name and zone as stored now (a few documents), at the clock's now."""
    records = await reads.queries.location_records()
    return Places(records, reads.clock.now())


async def from_database(reads: Reading, spec: ReportSpec, collection: str, criteria: dict,
                        order: Order, params: Listing, places: Places,
                        segments: dict[str, list[Segment]] | None = None) -> Response | dict:
    """`segments`: for each computed column, its values and their filters (a sort on it reads them in turn)."""
    columns, day = csv_export.choose_columns(params.columns, spec), today(reads.clock)
    store, queries = reads.store, reads.queries
    split = (segments or {}).get(order.names[0])
    if params.format == "csv":
        found = queries.stream(collection, params.locations, criteria, order, split)
        return csv_response(spec, columns, (present(spec, doc, places) async for doc in found), day)
    after = decode_cursor(params.cursor, order) if params.cursor else None
    found, as_of = await asyncio.gather(  # side by side: the page costs one round trip, not two
        queries.page(collection, params.locations, criteria, order, after, params.limit, split), store.as_of())
    page = found[:params.limit]
    next_cursor = encode_cursor(order, page[-1]) if len(found) > params.limit else None
    items = [_pick(present(spec, doc, places), columns) for doc in page]
    return {"items": items, "next_cursor": next_cursor, "as_of": as_of}


async def from_memory(reads: Reading, spec: ReportSpec, rows: list[dict], order: Order,
                      params: Listing) -> Response | dict:
    columns, day = csv_export.choose_columns(params.columns, spec), today(reads.clock)
    after = decode_cursor(params.cursor, order) if params.cursor and params.format == "json" else None
    page, next_cursor = page_in_memory(rows, order, after, len(rows) if params.format == "csv" else params.limit)
    if params.format == "csv":
        return csv_response(spec, columns, each(page), day)
    items = [_pick(row, columns) for row in page]
    return {"items": items, "next_cursor": next_cursor, "as_of": await reads.store.as_of()}


def _pick(row: dict, columns: list[str]) -> dict:
    return {name: row[name] for name in columns}


def csv_response(spec: ReportSpec, columns: list[str], rows: AsyncIterator[dict], day: date) -> StreamingResponse:
    disposition = f'attachment; filename="{spec.name}-{day.isoformat()}.csv"'
    return StreamingResponse(csv_chunks(rows, columns), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": disposition})


async def csv_chunks(rows: AsyncIterator[dict], columns: list[str]) -> AsyncIterator[str]:
    """CSV text a chunk of rows at a time, so memory stays flat whatever the row count."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_export.header(columns))
    written = 0
    async for row in rows:
        writer.writerow(csv_export.record(row, columns))
        written += 1
        if written % CSV_CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


async def each(rows: Iterable[dict]) -> AsyncIterator[dict]:
    for row in rows:
        yield row
