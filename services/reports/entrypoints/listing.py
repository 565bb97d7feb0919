"""The query parameters every list report takes, and which locations a request may see."""

from dataclasses import dataclass
from datetime import UTC, date
from typing import Literal

from fastapi import Depends, Query

from shared.contract.types import Identifier
from shared.wiring.auth import Staff, any_staff
from shared.wiring.clock import Clock


@dataclass(frozen=True)
class Listing:
    locations: list[str] | None  # None: the whole brand
    sort: str | None
    q: str | None
    limit: int
    cursor: str | None
    format: Literal["json", "csv"]
    columns: str | None


def listing(
    staff: Staff = Depends(any_staff),
    location: list[Identifier] | None = Query(None, description="Repeatable; default: every location the token allows"),
    sort: str | None = Query(None, max_length=64, description="A row field; '-' prefix for descending"),
    q: str | None = Query(None, max_length=100, description="Case-insensitive part of a name, email or phone"),
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = Query(None, max_length=2000, description="next_cursor of the previous page"),
    format: Literal["json", "csv"] = Query("json", description="csv streams every matching row"),
    columns: str | None = Query(None, max_length=1000, description="Comma-separated columns, in order"),
) -> Listing:
    return Listing(visible_locations(staff, location), sort, q, limit, cursor, format, columns)


def visible_locations(staff: Staff, requested: list[str] | None) -> list[str] | None:
    """The requested locations (403 unless all allowed), else all the token allows."""
    if requested:
        return staff.visible(requested)
    return None if staff.whole_brand else sorted(staff.locations)


def today(clock: Clock) -> date:
    return clock.now().astimezone(UTC).date()
