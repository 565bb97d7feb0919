"""Brings the messages an older notifier stored up to date: none left `sending`, each in a chunk.

Before messages were claimed a chunk at a time (services.notifier.service_layer.dispatcher), a message being
sent was marked `sending` with the wall time of its claim (`claimed_wall`). A crash there left it
so, and the dispatcher marked it failed ("interrupted ... not resent") once the claim was older
than a minute; and a message carried no `chunk` (the messages recorded together), so its outcome
was written alone. The notifier no longer looks for either: run this once, with the older notifier
stopped, before starting the new one.

- Each `sending` message claimed more than a minute ago (the dispatcher's `interrupted_after`) is
  recorded failed and unannounced, so the notifier announces it on its first sweep; a younger one
  is left, and counted, for a run a minute later.
- Each message without a chunk is a chunk of its own (`chunk` = its id, as `new_message` makes it).

    python -m shared.migrations.notifier_messages [--database studio_notifier ...]

Without arguments it migrates the notifier database named by the environment's settings. Running
it again changes nothing.
"""

import time
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.domain.messages import INTERRUPTED
from shared.migrations.command import run

INTERRUPTED_AFTER = 60.0  # seconds, as the dispatcher judges a claim whose process is gone


async def migrate(db: AsyncDatabase, now: datetime | None = None, wall: float | None = None,
                  after: float = INTERRUPTED_AFTER) -> int:
    """How many messages were settled or given their own chunk."""
    return await settle_sending(db, now or datetime.now(UTC), time.time() if wall is None else wall, after) + \
        await chunk_alone(db)


async def settle_sending(db: AsyncDatabase, now: datetime, wall: float, after: float) -> int:
    """Each `sending` message claimed more than `after` seconds before `wall`: failed, unannounced."""
    settled = 0
    async for message in db["messages"].find({"status": "sending"}):
        if wall - message.get("claimed_wall", 0) > after:
            changes = {"status": "failed", "reason": INTERRUPTED, "updated_at": now, "published": False}
            await db["messages"].update_one({"_id": message["_id"], "status": "sending"}, {"$set": changes})
            settled += 1
    left = await db["messages"].count_documents({"status": "sending"})
    if left:
        print(f"{db.name}: {left} message(s) claimed less than {after:.0f} s ago still sending: run again later")
    return settled


async def chunk_alone(db: AsyncDatabase) -> int:
    """Each message stored without a chunk becomes a chunk of its own."""
    alone = [m["_id"] async for m in db["messages"].find({"chunk": {"$exists": False}}, {"_id": 1})]
    for message_id in alone:
        await db["messages"].update_one({"_id": message_id}, {"$set": {"chunk": message_id}})
    return len(alone)


if __name__ == "__main__":
    run(__doc__, ("notifier",), migrate, "message(s) settled as interrupted or made a chunk of their own")
