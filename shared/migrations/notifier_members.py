"""Copies the notifier's members from the one-document-per-member collection into its version log.

Before members were kept as a log of versions (`member_versions`, services.notifier.store), each
(location, client) was one document in `members`, `_id` "<location>|<client>". The notifier no
longer reads that collection: run this once against a store written by that code, before starting
the new one. Each such member becomes version 0 of its log, the version it was loaded as, so a
member the log already holds newer versions of keeps them and the next write is version 1 of one
never written since.

    python -m shared.migrations.notifier_members [--database studio_notifier ...]

Without arguments it migrates the notifier database named by the environment's settings. The
`members` collection is left as it was (drop it once satisfied); running this again copies nothing.
"""

from pymongo.asynchronous.database import AsyncDatabase

from shared.migrations.command import run
from shared.wiring.mongo import is_duplicate_key
from shared.wiring.versions import version_id

LEGACY, LOG = "members", "member_versions"


async def migrate(db: AsyncDatabase) -> int:
    """Each legacy member inserted as version 0 of its log unless that version is there already."""
    copied = 0
    async for member in db[LEGACY].find({}):
        key = member["_id"]
        try:
            await db[LOG].insert_one({"_id": version_id(key, 0), "key": key, "version": 0, "member": member})
        except Exception as error:
            if not is_duplicate_key(error):
                raise
            continue
        copied += 1
    return copied


if __name__ == "__main__":
    run(__doc__, ("notifier",), migrate, "member(s) copied into the version log")
