"""`sort` parameters and the opaque cursors that continue a listing after its last row.

A cursor is base64url JSON of the sort it was made for and the last row's sort key (the sort
field, then the tie-breaks), so the next page starts strictly after that row whatever was
inserted meanwhile (keyset paging: no offsets).
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from functools import total_ordering

from services.reports.domain.errors import InvalidParameter
from services.reports.domain.reports import ReportSpec

ASCENDING, DESCENDING = 1, -1


@dataclass(frozen=True)
class Order:
    text: str
    keys: tuple[tuple[str, int], ...]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.keys]

    @property
    def rest(self) -> "Order":
        """The order within one value of the first key (its tie-breaks)."""
        return Order(self.text, self.keys[1:])


Segment = tuple[str, dict]  # a value of a computed column, and the filter of the rows that have it


def parse_sort(text: str | None, spec: ReportSpec) -> Order:
    text = text or spec.default_sort
    name, direction = (text[1:], DESCENDING) if text.startswith("-") else (text, ASCENDING)
    if not spec.sortable(name):
        sortable = ", ".join(c for c in spec.columns if spec.sortable(c))
        raise InvalidParameter("sort", f"unknown field {name!r}; one of {sortable}, with '-' for descending")
    ties = tuple((tie, ASCENDING) for tie in spec.tiebreak if tie != name)
    return Order(text, ((spec.stored(name), direction), *ties))


def segments_after(order: Order, segments: list[Segment], after: list | None) -> list[tuple[str, dict, list | None]]:
    """A sort on a computed column, as one query per value: the segments to read in turn (in the
    values' order, reversed when descending), each with the tie-break key to continue after
    (the cursor's, in its own segment; None from the start)."""
    ordered = segments if order.keys[0][1] == ASCENDING else segments[::-1]
    if after is None:
        return [(value, where, None) for value, where in ordered]
    values = [value for value, _ in ordered]
    if after[0] not in values:
        raise InvalidParameter("cursor", "malformed; pass next_cursor back unchanged")
    start = values.index(after[0])
    return [(value, where, after[1:] if i == start else None) for i, (value, where) in enumerate(ordered) if i >= start]


def sort_key(order: Order, row: dict) -> list:
    return [row.get(name) for name in order.names]


def rank(order: Order, row: dict) -> tuple:
    """`row`'s place in `order` as Python compares it, the way MongoDB sorts: a missing or null
    value before any other ascending, after any other descending (rows of several queries are
    merged by it)."""
    return rank_of(order, sort_key(order, row))


def rank_of(order: Order, key: list) -> tuple:
    return tuple(_placed(value, direction) for (_, direction), value in zip(order.keys, key))


def _placed(value, direction: int):
    placed = (0,) if value is None else (1, value)
    return placed if direction == ASCENDING else _Reversed(placed)


@total_ordering
class _Reversed:
    def __init__(self, value) -> None:
        self.value = value

    def __eq__(self, other) -> bool:
        return self.value == other.value

    def __lt__(self, other) -> bool:
        return other.value < self.value


def encode_cursor(order: Order, row: dict) -> str:
    body = {"sort": order.text, "after": [_encode_value(v) for v in sort_key(order, row)]}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def decode_cursor(token: str, order: Order) -> list:
    """The sort key the cursor continues after; 422 naming `cursor` unless it fits this order."""
    try:
        body = json.loads(base64.urlsafe_b64decode(token.encode()))
        after = [_decode_value(v) for v in body["after"]]
        made_for = body["sort"]
    except (binascii.Error, ValueError, UnicodeError, KeyError, TypeError):
        raise InvalidParameter("cursor", "malformed; pass next_cursor back unchanged") from None
    if made_for != order.text or len(after) != len(order.keys):
        raise InvalidParameter("cursor", "was made for another sort; start again without a cursor")
    return after


def _encode_value(value):
    return {"instant": value.isoformat()} if isinstance(value, datetime) else value


def _decode_value(value):
    if isinstance(value, dict):
        return datetime.fromisoformat(value["instant"])
    if value is None or isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    raise TypeError(f"unexpected cursor value {value!r}")
