"""Names every location with rows in the reports' `meta` collection, for read models projected
before those marks were kept.

The reports read the brand (no location asked for) on FerretDB as one query per location with
rows, the locations named by one `meta` document each (`{type: "location", location_id}`), which
the projection writes before a location's first rows. A generation projected before that holds
rows with no marks, and the reports no longer fall back to a scan for it: run this once against
a store written by that code, before starting the new one. Every generation present is marked.

    python -m shared.migrations.reports_location_marks [--database studio_reports ...]

Without arguments it migrates the reports database named by the environment's settings. Marks
already there stay; running it again adds nothing.
"""

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.reports.domain.generations import collection_name, generation_of
from services.reports.adapters.store import LOCATION, location_key
from shared.migrations.command import run
from shared.wiring.mongo import only_duplicate_keys

ROWS = ("clients", "packages", "membership_periods", "memberships", "accounts", "account_entries")


async def migrate(db: AsyncDatabase) -> int:
    """Each generation's locations with rows, each marked unless it is already."""
    names = await db.list_collection_names()
    generations = sorted({g for name in names if (g := generation_of(name)) is not None})
    marked = 0
    for generation in generations:
        located: set[str] = set()
        for base in ROWS:
            if collection_name(base, generation) in names:
                located |= set(await db[collection_name(base, generation)].distinct("location_id"))
        marked += await _mark(db[collection_name("meta", generation)], sorted(located))
    return marked


async def _mark(meta, locations: list[str]) -> int:
    if not locations:
        return 0
    marks = [{"_id": location_key(l), "type": LOCATION, "location_id": l} for l in locations]
    try:
        await meta.insert_many(marks, ordered=False)
    except BulkWriteError as error:
        if not only_duplicate_keys(error):
            raise
        return len(marks) - len(error.details["writeErrors"])
    return len(marks)


if __name__ == "__main__":
    run(__doc__, ("reports",), migrate, "location(s) marked")
