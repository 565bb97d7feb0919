"""Balance movements per (location, currency) over a date range.

The balance at an instant is the sum of the entries dated before it (the contract's "balance =
sum of its entries"); with entries dated in ledger order that is the last entry's
`balance_after_minor`. Closing is derived as opening + movements, so the identity holds by
construction, even when an entry's date is out of ledger order.
"""

from datetime import UTC, date, datetime, time, timedelta

from services.reports.domain.errors import InvalidParameter

ENTRY_COLUMNS = {
    "Payment": "payment_minor",
    "Charge": "charge_minor",
    "Refund": "refund_minor",
    "Credit": "credit_minor",
    "Manual Adjustment": "manual_adjustment_minor",
    "Credit Expired": "credit_expired_minor",
}

Place = tuple[str, str]  # (location_id, currency)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start of `start`, end of `end`) in UTC; the range is inclusive of both days."""
    if end < start:
        raise InvalidParameter("to", "must not be before from")
    if end == date.max:  # no next day to start at
        return datetime.combine(start, time(), UTC), datetime.max.replace(tzinfo=UTC)
    return datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)


def movement_rows(openings: dict[Place, int], sums: dict[tuple[str, str, str], int]) -> list[dict]:
    """One row per place seen before the end of the range; `sums` is keyed (location, currency, type)."""
    places = set(openings) | {(location, currency) for location, currency, _ in sums}
    return [_row(place, openings.get(place, 0), sums) for place in sorted(places)]


def _row(place: Place, opening: int, sums: dict) -> dict:
    moved = {column: sums.get((*place, kind), 0) for kind, column in ENTRY_COLUMNS.items()}
    closing = opening + sum(moved.values())
    return {"location_id": place[0], "currency": place[1], "opening_minor": opening, **moved,
            "closing_minor": closing}
