"""Pages of several locations are merged in the report's order, nulls placed as MongoDB places them."""

import heapq
from functools import partial

from services.reports.domain.ordering import parse_sort, rank
from services.reports.domain.reports import ACCOUNT_BALANCES
from services.reports.service_layer.queries import merge_sorted


def row(location: str, client: str, email: str | None) -> dict:
    return {"location_id": location, "client_id": client, "sort_email": email}


L1 = [row("l-1", "c-2", None), row("l-1", "c-1", "a@x"), row("l-1", "c-3", "b@x")]
L2 = [row("l-2", "c-2", None), row("l-2", "c-4", "a@x"), row("l-2", "c-0", "c@x")]


def test_ascending_puts_nulls_first_and_ties_by_client_then_location():
    order = parse_sort("email", ACCOUNT_BALANCES)

    merged = list(heapq.merge(L1, L2, key=partial(rank, order)))

    assert [(r["client_id"], r["location_id"]) for r in merged] == [
        ("c-2", "l-1"), ("c-2", "l-2"), ("c-1", "l-1"), ("c-4", "l-2"), ("c-3", "l-1"), ("c-0", "l-2")]


def test_descending_puts_nulls_last_with_ties_still_ascending():
    order = parse_sort("-email", ACCOUNT_BALANCES)
    key = partial(rank, order)

    merged = list(heapq.merge(sorted(L1, key=key), sorted(L2, key=key), key=key))

    assert [r["client_id"] for r in merged] == ["c-0", "c-3", "c-1", "c-4", "c-2", "c-2"]


async def test_streams_merge_holding_one_row_each():
    order = parse_sort("email", ACCOUNT_BALANCES)

    async def each(rows):
        for r in rows:
            yield r

    merged = [r async for r in merge_sorted([each(L1), each(L2), each([])], partial(rank, order))]

    assert merged == list(heapq.merge(L1, L2, key=partial(rank, order)))
