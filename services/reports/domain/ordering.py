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


def parse_sort(text: str | None, spec: ReportSpec) -> Order:
    text = text or spec.default_sort
    name, direction = (text[1:], DESCENDING) if text.startswith("-") else (text, ASCENDING)
    if not spec.sortable(name):
        raise InvalidParameter("sort", _unsortable(name, spec))
    ties = tuple((tie, ASCENDING) for tie in spec.tiebreak if tie != name)
    return Order(text, ((name, direction), *ties))


def _unsortable(name: str, spec: ReportSpec) -> str:
    if name in spec.computed:
        return f"{name!r} is computed when read and cannot be sorted on"
    sortable = ", ".join(c for c in spec.columns if spec.sortable(c))
    return f"unknown field {name!r}; one of {sortable}, with '-' for descending"


def sort_key(order: Order, row: dict) -> list:
    return [row.get(name) for name in order.names]


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
