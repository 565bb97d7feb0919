"""Drops the notifier's old member feed: `member_feed` and `member_feed_versions`.

The notifier's instances told each other what they committed through those two collections,
read twice a second by every instance. They now use a Kafka topic (`studio.notifier.feed.v1`,
services/notifier/adapters/member_feed.py), and nothing reads the collections: what they held
was deleted after a minute anyway, and the member log stays the truth. Run once after the new
notifier is deployed; running it again drops nothing.

    python -m shared.migrations.member_feed [--database studio_notifier]
"""

from pymongo.asynchronous.database import AsyncDatabase

from shared.migrations.command import run

OLD = ("member_feed", "member_feed_versions")


async def migrate(db: AsyncDatabase) -> int:
    """Drops what is left of the old feed; returns how many documents went with it."""
    present = set(await db.list_collection_names())
    dropped = 0
    for name in OLD:
        if name in present:
            dropped += await db[name].count_documents({})
            await db.drop_collection(name)
    return dropped


if __name__ == "__main__":
    run(__doc__, ["notifier"], migrate, "documents of the old member feed dropped")
