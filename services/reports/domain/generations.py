"""Generations of the read models: every read-model collection carries its generation in its name.

Generation 1 is the unsuffixed names (`clients`, `packages`, ...), so a deployment that never
rebuilt needs no migration; generation n > 1 is `<name>_g<n>`. The live generation is named by
one document in the `generations` collection, which is not itself generational.
"""

import re
from datetime import datetime

READ_MODELS = ("clients", "packages", "membership_periods", "memberships", "accounts", "account_entries", "meta",
               "locations")
FIRST = 1
_SUFFIXED = re.compile(r"^(?P<base>.+)_g(?P<number>[1-9][0-9]*)$")


def collection_name(base: str, generation: int) -> str:
    return base if generation == FIRST else f"{base}_g{generation}"


def generation_of(name: str) -> int | None:
    """The generation a collection belongs to, or None if it is not a read-model collection."""
    found = _SUFFIXED.match(name)
    if found and found["base"] in READ_MODELS and int(found["number"]) > FIRST:
        return int(found["number"])
    return FIRST if name in READ_MODELS else None


def collections_of(generation: int) -> list[str]:
    return [collection_name(base, generation) for base in READ_MODELS]


def stale_collections(names: list[str], live: int) -> list[str]:
    """Collections of generations older than the one before `live` (that one is kept to go back to)."""
    return sorted(n for n in names if (g := generation_of(n)) is not None and g < live - 1)


def live_generation(doc: dict | None) -> int:
    return int(doc["live"]) if doc and doc.get("live") else FIRST


def paused(doc: dict | None, now: datetime) -> bool:
    """Live writes wait while a rebuild catches up; the pause lapses by itself if the rebuild dies."""
    until = (doc or {}).get("paused_until")
    return until is not None and now < until
