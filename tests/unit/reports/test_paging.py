from services.reports.domain.ordering import decode_cursor, parse_sort
from services.reports.domain.paging import page_in_memory
from services.reports.domain.reports import BALANCE_MOVEMENTS

ROWS = [{"location_id": loc, "currency": cur, "closing_minor": n}
        for loc, cur, n in [("a", "USD", 5), ("b", "USD", 9), ("a", "EUR", 9), ("c", "JPY", 1)]]


def _walk(sort: str, limit: int) -> list[tuple]:
    order, after, seen = parse_sort(sort, BALANCE_MOVEMENTS), None, []
    while True:
        page, cursor = page_in_memory(ROWS, order, after, limit)
        seen += [(r["location_id"], r["currency"]) for r in page]
        if cursor is None:
            return seen
        after = decode_cursor(cursor, order)


def test_pages_in_memory_visit_every_row_once_in_order():
    assert _walk("location_id", 1) == [("a", "EUR"), ("a", "USD"), ("b", "USD"), ("c", "JPY")]


def test_descending_pages_break_ties_ascending():
    assert _walk("-closing_minor", 3) == [("a", "EUR"), ("b", "USD"), ("a", "USD"), ("c", "JPY")]
