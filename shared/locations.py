"""What a service knows of a location, folded from `studio.locations.v1`; the same fold everywhere.

Each field is a last-writer-wins register (`shared.registers`) stamped with the event that set it:
an event sets a field unless a later one already did. So a redelivery, a replay or a republished
old event changes nothing, whatever order the events arrive in, and every service that folds the
same events holds the same record. The record is JSON-shaped so any store keeps it as it is.
"""

from datetime import tzinfo

from shared.contract.locations import LocationRegistered, LocationUpdated
from shared.registers import applied, stamp_of
from shared.zones import zone

FIELDS = ("name", "time_zone", "currency")


def changes_of(event: LocationRegistered | LocationUpdated) -> dict:
    """The fields this event sets: a registration every field it has, an update the non-null ones."""
    if isinstance(event, LocationRegistered):
        return {f: getattr(event, f) for f in FIELDS}
    return {f: getattr(event, f) for f in FIELDS if getattr(event, f) is not None}


def folded(record: dict | None, event: LocationRegistered | LocationUpdated) -> dict:
    """`record` (None: not seen yet) with the event applied field by field."""
    known = record or {"location_id": event.location_id, **{f: None for f in FIELDS}, "stamps": {}}
    fields, stamps = applied({}, known["stamps"], changes_of(event), stamp_of(event))
    return {**known, **fields, "stamps": stamps}


def zone_of(record: dict | None) -> tzinfo:
    """The location's zone; UTC while it is not known (the contract's rule)."""
    return zone((record or {}).get("time_zone"))
