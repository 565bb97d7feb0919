"""Keyset paging of rows already in memory (the few rows of balance movements)."""

from functools import total_ordering

from services.reports.domain.ordering import DESCENDING, Order, encode_cursor, sort_key


@total_ordering
class _Reversed:
    def __init__(self, value) -> None:
        self.value = value

    def __eq__(self, other) -> bool:
        return self.value == other.value

    def __lt__(self, other) -> bool:
        return other.value < self.value


def _rank(order: Order, key: list) -> tuple:
    """Nulls first ascending, last descending, as the database sorts them."""
    present = [(v is not None, v if v is not None else "") for v in key]
    return tuple(_Reversed(v) if d == DESCENDING else v for (_, d), v in zip(order.keys, present))


def page_in_memory(rows: list[dict], order: Order, after: list | None, limit: int) -> tuple[list[dict], str | None]:
    """The page after `after` (a decoded cursor) and the cursor of the next page, if any."""
    ranked = sorted(rows, key=lambda row: _rank(order, sort_key(order, row)))
    if after is not None:
        ranked = [row for row in ranked if _rank(order, sort_key(order, row)) > _rank(order, after)]
    page = ranked[:limit]
    return page, encode_cursor(order, page[-1]) if len(ranked) > limit else None
