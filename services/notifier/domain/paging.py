"""Pages of audience members and journey entries: opaque cursors, scopes and entries from steps.

A cursor is the position of the last item shown (location, client[, entry]) as base64url JSON;
the next page starts after it, so members entering or leaving between pages shift nothing else.
"""

import base64
import binascii
import json
from collections.abc import Iterable


class BadCursor(ValueError):
    """The cursor was not made by this service (or was cut short)."""


def encode_cursor(*position) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode().rstrip("=")


def decode_cursor(token: str | None, kinds: tuple[type, ...]) -> tuple | None:
    """The position a cursor names, each part of the kind given (e.g. (str, str, int))."""
    if token is None:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise BadCursor("not a cursor from this list") from error
    if not isinstance(position, list) or len(position) != len(kinds) or not all(
            type(part) is kind for part, kind in zip(position, kinds, strict=False)):
        raise BadCursor("not a cursor from this list")
    return tuple(position)


def narrowed(wanted: Iterable[str] | None, *scopes: frozenset[str]) -> frozenset[str] | None:
    """The locations every scope allows; an empty scope (and `wanted` None) allows every location,
    and None is returned when nothing narrows."""
    limits = [frozenset(wanted)] if wanted is not None else []
    limits += [scope for scope in scopes if scope]
    return frozenset.intersection(*limits) if limits else None


def overlaps(staff_locations: frozenset[str] | None, *scopes: frozenset[str]) -> bool:
    """May an admin of `staff_locations` (None: the whole brand) use something of these scopes?"""
    allowed = narrowed(staff_locations, *scopes)
    return allowed is None or bool(allowed)


def entries_of(steps: list[dict]) -> list[dict]:
    """Step documents (ordered by client, entry, step) grouped into journey entries."""
    entries: list[dict] = []
    for step in steps:
        position = (step["location_id"], step["client_id"], step["entry"])
        if not entries or entries[-1]["position"] != position:
            entries.append({"position": position, "steps": []})
        entries[-1]["steps"].append(step)
    return entries
