"""Keyset paging of rows already in memory (the few rows of balance movements)."""

from services.reports.domain.ordering import Order, encode_cursor, rank, rank_of


def page_in_memory(rows: list[dict], order: Order, after: list | None, limit: int) -> tuple[list[dict], str | None]:
    """The page after `after` (a decoded cursor) and the cursor of the next page, if any."""
    ranked = sorted(rows, key=lambda row: rank(order, row))
    if after is not None:
        ranked = [row for row in ranked if rank(order, row) > rank_of(order, after)]
    page = ranked[:limit]
    return page, encode_cursor(order, page[-1]) if len(ranked) > limit else None
