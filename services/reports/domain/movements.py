"""Balance movements per (location, currency) over a date range of each location's own days.

The balance at an instant is the sum of the entries dated before it (the contract's "balance =
sum of its entries"); with entries dated in ledger order that is the last entry's
`balance_after_minor`. Closing is derived as opening + movements, so the identity holds by
construction, even when an entry's date is out of ledger order.
"""

from datetime import UTC, date, datetime, tzinfo

from services.reports.domain.errors import InvalidParameter
from shared.zones import end_of_day, start_of_day

ENTRY_COLUMNS = {
    "Payment": "payment_minor",
    "Charge": "charge_minor",
    "Refund": "refund_minor",
    "Credit": "credit_minor",
    "Manual Adjustment": "manual_adjustment_minor",
    "Credit Expired": "credit_expired_minor",
}

Place = tuple[str, str]  # (location_id, currency)


def bounds(start: date, end: date, zone: tzinfo = UTC) -> tuple[datetime, datetime]:
    """[local midnight starting `start`, local midnight ending `end`) as instants; the range is
    inclusive of both days, which are days of the location's `zone`."""
    if end < start:
        raise InvalidParameter("to", "must not be before from")
    if start == date.min:  # no instant before the first day in zones east of UTC
        return datetime.min.replace(tzinfo=UTC), end_of_day(end, zone)
    return start_of_day(start, zone), end_of_day(end, zone)


def movement_rows(openings: dict[Place, int], sums: dict[tuple[str, str, str], int],
                  names: dict[str, str | None] | None = None) -> list[dict]:
    """One row per place seen before the end of the range; `sums` is keyed (location, currency, type)."""
    places = set(openings) | {(location, currency) for location, currency, _ in sums}
    return [_row(place, openings.get(place, 0), sums, (names or {}).get(place[0])) for place in sorted(places)]


def _row(place: Place, opening: int, sums: dict, name: str | None) -> dict:
    moved = {column: sums.get((*place, kind), 0) for kind, column in ENTRY_COLUMNS.items()}
    closing = opening + sum(moved.values())
    return {"location_id": place[0], "location_name": name, "currency": place[1], "opening_minor": opening,
            **moved, "closing_minor": closing}
