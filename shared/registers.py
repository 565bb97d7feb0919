"""Records folded from events field by field: each field keeps the value of the latest event that set it.

A field is a last-writer-wins register stamped with the event that set it, `[occurred_at, event_id]`
(RFC 3339 text and the id, so any store keeps it as it is). An event sets a field unless a later one
already did; the same instant is decided by the event id. So the fold ends the same whatever order
the events arrive in, a redelivery or a replay changes nothing, and every service that folds the
same events holds the same record. Locations (`shared.locations`) and client profiles (the reports'
rows, the notifier's members) are folded by it.

A field without a stamp was never set (or stored before stamps were kept): it is older than any
event.
"""

from datetime import datetime

from shared.contract.envelope import Event

Stamp = list[str]  # [occurred_at as RFC 3339, event_id]


def stamp_of(event: Event) -> Stamp:
    return [event.occurred_at.isoformat(), event.event_id]


def _order(stamp: Stamp) -> tuple[datetime, str]:
    return datetime.fromisoformat(stamp[0]), stamp[1]


def newer_or_same(stamp: Stamp, than: Stamp | None) -> bool:
    """Whether a value stamped `stamp` replaces one stamped `than` (None: unstamped, older than any)."""
    return than is None or _order(than) <= _order(stamp)


def applied(values: dict, stamps: dict, changes: dict, stamp: Stamp) -> tuple[dict, dict]:
    """`values` and their `stamps` with the fields of `changes` that `stamp` is not older than."""
    values, stamps = dict(values), dict(stamps)
    for name, value in changes.items():
        if newer_or_same(stamp, stamps.get(name)):
            values[name], stamps[name] = value, stamp
    return values, stamps


def combined(values: dict, stamps: dict, other_values: dict, other_stamps: dict) -> tuple[dict, dict]:
    """Two folds of events of the same record made one (each stamped field of the other taken if newer)."""
    for name, stamp in other_stamps.items():
        values, stamps = applied(values, stamps, {name: other_values.get(name)}, stamp)
    return values, stamps
