"""Turns the location stamps stored before event ids were kept into the stamps of today.

A location's record (shared.locations) stamps each field with the event that set it,
`[occurred_at, event_id]`. Before event ids were kept a stamp was the bare `occurred_at` text,
which the fold took as older than any event of that same instant. The fold no longer reads them:
run this once against a store written by that code, before starting the new one. Each bare stamp
becomes `[occurred_at, ""]`, which orders exactly as it did (an empty id is before every id).

    python -m shared.migrations.location_stamps [--database studio_credits ...]

Without arguments it migrates the credits, notifier and reports databases named by the
environment's settings: their `locations` collections, every reports generation's included.
Running it again changes nothing.
"""

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.migrations.command import run

SERVICES = ("credits", "notifier", "reports")


def is_locations(name: str) -> bool:
    """`locations`, or a later reports generation's copy (`locations_g<n>`)."""
    return name == "locations" or (name.startswith("locations_g") and name[len("locations_g"):].isdigit())


async def migrate(db: AsyncDatabase) -> int:
    """Every location record with a bare stamp, rewritten with each bare stamp as `[stamp, ""]`."""
    changed = 0
    for name in sorted(filter(is_locations, await db.list_collection_names())):
        changed += await _migrate_records(db[name])
    return changed


async def _migrate_records(records: AsyncCollection) -> int:
    changed = 0
    async for doc in records.find({}):
        stamps = doc.get("stamps") or {}
        if any(isinstance(stamp, str) for stamp in stamps.values()):
            now = {field: [stamp, ""] if isinstance(stamp, str) else stamp for field, stamp in stamps.items()}
            await records.update_one({"_id": doc["_id"]}, {"$set": {"stamps": now}})
            changed += 1
    return changed


if __name__ == "__main__":
    run(__doc__, SERVICES, migrate, "location record(s) restamped")
