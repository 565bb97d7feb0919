"""Moves the notifier's members into the version log every aggregate now shares.

Members were kept first as one document each (`members`), then as a log of their own
(`member_versions` with the member under `member`). The notifier now keeps them in the shared
version log (shared.aggregates.store: the member under `state`, its audience events in the
outbox). Run this once against a notifier database written by the older code, before starting
the new one:

    python -m shared.migrations.member_versions [--database studio_credits_notifier]

Each older version gets its member under `state`, marked published (what it announced went out
when it was written); a member only in `members` becomes version 1 of its log. Running it again
finds nothing to move.
"""

from pymongo.asynchronous.database import AsyncDatabase

from shared.wiring import mongo
from shared.wiring.mongo import is_duplicate_key
from shared.migrations.command import run
from shared.aggregates.versions import version_id


async def migrate(db: AsyncDatabase) -> int:
    """How many versions were moved or made."""
    log, moved = db["member_versions"], 0
    async for doc in log.find({"member": {"$exists": True}}):
        await log.update_one({"_id": doc["_id"]}, {"$set": {"state": doc["member"], "events": [], "published": True},
                                                   "$unset": {"member": ""}})
        moved += 1
    async for member in db["members"].find({}):
        key = member["_id"]
        try:
            await log.insert_one({"_id": version_id(key, 1), "key": key, "version": 1, "state": member,
                                  "events": [], "published": True})
        except Exception as error:
            if not is_duplicate_key(error):
                raise
            continue  # the log has this member already: its versions are newer
        moved += 1
    return moved


if __name__ == "__main__":
    run(__doc__, ["notifier"], migrate, "member version(s) moved into the shared version log")
