"""Moves versions marked the old way (`published: false` in the log) into the outbox's index.

Before the outbox kept its index beside the log (shared.aggregates.pending_batches), a version whose
events were not yet published carried `published: false`. The relay no longer looks for those:
run this once against a store written by that code, before starting the new one, and the relay
publishes them like any batch a crash left pending.

    python -m shared.migrations.outbox_marks [--database studio_credits] [--collection client_credits]

Without arguments it migrates the bookings and credits logs named by the environment's settings.
Running it again finds nothing to move.
"""

import argparse
import asyncio
from datetime import UTC

from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring import mongo
from shared.wiring.settings import Settings

LOGS = {"bookings": "client_bookings", "credits": "client_credits"}


async def migrate(log: AsyncCollection) -> int:
    """Each old-style unpublished version becomes `pending`, its batch entered in the index."""
    pending = log.database[f"{log.name}_pending"]
    moved = 0
    async for doc in log.find({"published": False}):
        at = doc["written_at"] if doc["written_at"].tzinfo else doc["written_at"].replace(tzinfo=UTC)
        await pending.update_one({"_id": doc["batch"]}, {"$setOnInsert": {"at": at}}, upsert=True)
        await log.update_one({"_id": doc["_id"]}, {"$set": {"pending": True}, "$unset": {"published": ""}})
        moved += 1
    return moved


async def main(targets: list[tuple[str, str]], url: str) -> None:
    client = mongo.connect(url)
    try:
        for database, collection in targets:
            moved = await migrate(client[database][collection])
            print(f"{database}.{collection}: {moved} version(s) moved to the outbox's index")
    finally:
        await client.close()


def _targets(args: argparse.Namespace, settings: Settings) -> list[tuple[str, str]]:
    if args.database and args.collection:
        return [(args.database, args.collection)]
    return [(settings.model_copy(update={"service_name": s}).database_name, c) for s, c in LOGS.items()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database")
    parser.add_argument("--collection")
    arguments, settings = parser.parse_args(), Settings()
    asyncio.run(main(_targets(arguments, settings), settings.mongodb_url))
