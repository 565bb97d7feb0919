"""MongoDB filters of the reports, shaped for what FerretDB v1 can push to PostgreSQL.

FerretDB v1 sends PostgreSQL only the top-level equalities of a filter (served by the GIN indexes
of deploy/local/postgres/ferretdb-indexes.sql); everything else (`$and`, `$or`, `$in`, ranges,
a regex, sort, limit) it evaluates in Go over every document those equalities return. So every
filter here is one flat document: the location equality stays a top-level key, and the other
conditions are merged beside it (`all_of`), with `$and` only for two conditions on one key that
cannot share a document. Several locations are several queries (see `queries`), never `$in`.
The same filters are valid MongoDB, served there by the indexes of `domain/indexes.py`.
"""

from collections.abc import Callable, Hashable
from datetime import date, timedelta

from services.reports.domain import movements
from services.reports.domain.locations import Places
from services.reports.domain.ordering import ASCENDING, Order, Segment
from services.reports.domain.search import literal_pattern

NOTHING = {"_id": {"$in": []}}


def all_of(*filters: dict) -> dict:
    """The conjunction of `filters` as one flat document: keys side by side, the operators of one
    field in one document (`{$gte, $lte}`), and only what collides kept apart in `$and`."""
    merged, apart = {}, []
    for condition in (c for f in filters for c in _conditions(f)):
        name, value = next(iter(condition.items()))
        if name not in merged:
            merged[name] = value
        elif _mergeable(merged[name], value):
            merged[name] = {**merged[name], **value}
        elif merged[name] != value:
            apart.append(condition)
    return {**merged, "$and": apart} if apart else merged


def _conditions(filter_: dict) -> list[dict]:
    return [c for name, value in filter_.items() for c in (value if name == "$and" else [{name: value}])]


def _mergeable(held, value) -> bool:
    return _operators(held) and _operators(value) and not held.keys() & value.keys()


def _operators(value) -> bool:
    return isinstance(value, dict) and bool(value) and all(k.startswith("$") for k in value)


def scopes(locations: list[str] | None) -> list[dict]:
    """One filter per query: each location's equality, or nothing for the whole brand."""
    return [{}] if locations is None else [{"location_id": location} for location in locations]


def in_locations(locations: list[str] | None) -> dict:
    """None means the whole brand (ledger sums by zone; pages query each location instead)."""
    if locations is None:
        return {}
    return {"location_id": locations[0]} if len(locations) == 1 else {"location_id": {"$in": list(locations)}}

def matching(q: str | None) -> dict:
    """Rows whose folded name, email, phone or client id contains `q` as literal text."""
    return {"search": {"$regex": literal_pattern(q.strip())}} if q and q.strip() else {}


def after_key(order: Order, after: list | None) -> dict:
    """Rows strictly after `after` in `order` (nulls sort first ascending, last descending).

    Besides the `$or` of the keyset condition, an ascending first key bounds its own field
    (`$gte`), so an index on MongoDB starts at the cursor instead of skipping every earlier row."""
    if after is None:
        return {}
    branches = []
    for i, ((name, direction), value) in enumerate(zip(order.keys, after)):
        same = dict(zip(order.names[:i], after[:i]))
        branches += [{**same, name: beyond} for beyond in _beyond(value, direction)]
    if not branches:
        return NOTHING
    (first, direction), value = order.keys[0], after[0]
    bound = {first: {"$gte": value}} if direction == ASCENDING and value is not None else {}
    return all_of(bound, branches[0] if len(branches) == 1 else {"$or": branches})


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


def partition(locations: list[str] | None, places: Places, key: Callable[[str], Hashable],
              unknown: Hashable) -> list[tuple[Hashable, dict]]:
    """The requested locations (None: the whole brand, locations never registered included) split
    by `key` (their today, zone or name), each part with the filter of its rows; a location never
    registered has the key `unknown`. One part needs no filter: the request is scoped already."""
    parts: dict[Hashable, list[str]] = {}
    for location in locations if locations is not None else places.known():
        parts.setdefault(key(location), []).append(location)
    if locations is None:
        parts.setdefault(unknown, [])
    if len(parts) == 1:
        return [(value, {}) for value in parts]
    listed = sorted(loc for value, ids in parts.items() if locations is not None or value != unknown for loc in ids)
    return [(value, {"location_id": {"$nin": listed}} if locations is None and value == unknown
             else {"location_id": {"$in": sorted(ids)}}) for value, ids in parts.items()]


def per_local_day(locations: list[str] | None, places: Places, condition: Callable[[date], dict]) -> dict:
    """`condition(today)` with each location's own today (at most three dates at any instant)."""
    parts = partition(locations, places, places.today, places.utc_today)
    if len(parts) == 1:
        return condition(parts[0][0])
    return {"$or": [all_of(where, condition(day)) for day, where in parts]}


def packages_valid(start: date | None, end: date | None, expiring_within_days: int | None,
                   include_expired: bool, locations: list[str] | None, places: Places) -> dict:
    return all_of(
        {"starts_on": {"$lte": end.isoformat()}} if end else {},
        _not_expired_before(start) if start else {},
        {} if include_expired else per_local_day(locations, places, _not_expired_before),
        per_local_day(locations, places, lambda today: _expiring(today, expiring_within_days))
        if expiring_within_days is not None else {},
    )


def status_segments(locations: list[str] | None, places: Places) -> list[Segment]:
    """A package's `status` by value, in sort order: active (no expiry, or not before its
    location's today), expired."""
    return [("active", per_local_day(locations, places, _not_expired_before)),
            ("expired", per_local_day(locations, places, lambda today: {"expires_on": {"$lt": today.isoformat()}}))]


def name_segments(locations: list[str] | None, places: Places) -> list[Segment]:
    """Rows by `location_name`, in sort order: no name yet first, then case-insensitively."""
    parts = partition(locations, places, places.name, None)
    return sorted(parts, key=lambda part: (part[0] is not None, (part[0] or "").casefold(), part[0] or ""))


def entries_before(locations: list[str] | None, places: Places, start: date) -> dict:
    """Ledger entries dated before `start` began at their location (its own midnight)."""
    return _per_zone(locations, places, lambda zone: {"at": {"$lt": movements.bounds(start, start, zone)[0]}})


def entries_within(locations: list[str] | None, places: Places, start: date, end: date) -> dict:
    """Ledger entries dated within the local days `start` … `end` of their location."""
    def within(zone) -> dict:
        opening, closing = movements.bounds(start, end, zone)
        return {"at": {"$gte": opening, "$lt": closing}}

    return _per_zone(locations, places, within)


def _per_zone(locations: list[str] | None, places: Places, condition: Callable[[object], dict]) -> dict:
    parts = partition(locations, places, places.zone, places.zone(""))
    scoped = in_locations(locations)
    if len(parts) == 1:
        return all_of(scoped, condition(parts[0][0]))
    return all_of(scoped, {"$or": [all_of(where, condition(zone)) for zone, where in parts]})


def _not_expired_before(day: date) -> dict:
    return {"$or": [{"expires_on": None}, {"expires_on": {"$gte": day.isoformat()}}]}


def _expiring(today: date, days: int) -> dict:
    return {"expires_on": {"$gte": today.isoformat(), "$lte": (today + timedelta(days=days)).isoformat()}}


def _date_range(name: str, start: date | None, end: date | None) -> dict:
    bounds = {**({"$gte": start.isoformat()} if start else {}), **({"$lte": end.isoformat()} if end else {})}
    return {name: bounds} if bounds else {}
