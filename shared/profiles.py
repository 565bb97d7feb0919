"""A client's profile folded from `studio.clients.v1`, the same fold in every service that keeps one.

Every field is a register (`shared.registers`): it keeps the value of the latest event that set it,
by `occurred_at`, the event id deciding a tie. A registration sets every field it carries, an
update what it changes (`null` clears `email` or `phone`; the contract's model drops a `null` for a
field that cannot be empty), each at its own instant. So an older update redelivered late, two
producers racing, or an update that overtakes its registration leave the profile the newest events
give, in any order and any number of times.

A profile is a flat JSON-shaped dict of fields (dates as ISO text) plus `stamps`; one stored before
stamps were kept has none, and its values are older than any event.
"""

from datetime import date

from shared.contract.clients import PROFILE_FIELDS, ClientRegistered, ClientUpdated
from shared import registers


def changes_of(event: ClientRegistered | ClientUpdated, fields: tuple[str, ...] = PROFILE_FIELDS) -> dict:
    """The fields of `fields` this event sets, JSON-shaped."""
    return {f: v.isoformat() if isinstance(v, date) else v for f, v in event.profile_changes().items() if f in fields}


def folded(profile: dict | None, event: ClientRegistered | ClientUpdated,
           fields: tuple[str, ...] = PROFILE_FIELDS) -> dict:
    """`profile` (None or {}: nothing known) with the event applied field by field."""
    return _stamped(*registers.applied(*_split(profile), changes_of(event, fields), registers.stamp_of(event)))


def combined(profile: dict | None, other: dict | None) -> dict:
    """Two folds of one client's events made one: what folding all their events would give."""
    return _stamped(*registers.combined(*_split(profile), *_split(other)))


def _split(profile: dict | None) -> tuple[dict, dict]:
    profile = profile or {}
    return {k: v for k, v in profile.items() if k != "stamps"}, profile.get("stamps") or {}


def _stamped(values: dict, stamps: dict) -> dict:
    return {**values, "stamps": stamps}
