"""MongoDB filters of the reports, kept to what FerretDB v1 and MongoDB both evaluate alike:
equality, `$in`, ranges, `$or`/`$and`, `$ne: null` and a regex on the pre-lowercased `search`."""

import re
from datetime import date, timedelta

from services.reports.domain.ordering import ASCENDING, Order


def all_of(*filters: dict) -> dict:
    present = [f for f in filters if f]
    return present[0] if len(present) == 1 else ({"$and": present} if present else {})


def in_locations(locations: list[str] | None) -> dict:
    """None means the whole brand; one location is an equality (pushed down by FerretDB)."""
    if locations is None:
        return {}
    return {"location_id": locations[0]} if len(locations) == 1 else {"location_id": {"$in": list(locations)}}


def matching(q: str | None) -> dict:
    return {"search": {"$regex": re.escape(q.strip().lower())}} if q and q.strip() else {}


def after_key(order: Order, after: list | None) -> dict:
    """Rows strictly after `after` in `order` (nulls sort first ascending, last descending)."""
    if after is None:
        return {}
    branches = []
    for i, ((name, direction), value) in enumerate(zip(order.keys, after)):
        same = dict(zip(order.names[:i], after[:i]))
        branches += [{**same, name: beyond} for beyond in _beyond(value, direction)]
    return {"$or": branches}


def _beyond(value, direction: int) -> list:
    if value is None:
        return [{"$ne": None}] if direction == ASCENDING else []
    return [{"$gt": value}] if direction == ASCENDING else [{"$lt": value}, None]


def with_credit(min_balance_minor: int | None, joined_from: date | None, joined_to: date | None) -> dict:
    joined = _date_range("join_date", joined_from, joined_to)
    least = max(1, min_balance_minor or 1)  # only unexpired credit > 0 is listed
    return all_of({"account_credit_balance_minor": {"$gte": least}}, joined)


def with_balance(balance: str) -> dict:
    return {"positive": {"balance_minor": {"$gt": 0}}, "negative": {"balance_minor": {"$lt": 0}}}.get(balance, {})


def packages_valid(start: date | None, end: date | None, expiring_within_days: int | None,
                   include_expired: bool, today: date) -> dict:
    return all_of(
        {"starts_on": {"$lte": end.isoformat()}} if end else {},
        _not_expired_before(start) if start else {},
        {} if include_expired else _not_expired_before(today),
        _expiring(today, expiring_within_days) if expiring_within_days is not None else {},
    )


def status_segments(today: date) -> list[tuple[str, dict]]:
    """A package's `status` by value, in sort order: active (no expiry, or not before today), expired."""
    return [("active", _not_expired_before(today)), ("expired", {"expires_on": {"$lt": today.isoformat()}})]


def _not_expired_before(day: date) -> dict:
    return {"$or": [{"expires_on": None}, {"expires_on": {"$gte": day.isoformat()}}]}


def _expiring(today: date, days: int) -> dict:
    return {"expires_on": {"$gte": today.isoformat(), "$lte": (today + timedelta(days=days)).isoformat()}}


def _date_range(name: str, start: date | None, end: date | None) -> dict:
    bounds = {**({"$gte": start.isoformat()} if start else {}), **({"$lte": end.isoformat()} if end else {})}
    return {name: bounds} if bounds else {}
