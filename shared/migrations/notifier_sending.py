"""Settles the messages an older notifier left `sending`: failed, as interrupted, to be announced.

Before messages were claimed a chunk at a time (services.notifier.dispatcher), a message being
sent was marked `sending` with the wall time of its claim (`claimed_wall`). A crash there left it
so, and the dispatcher marked it failed ("interrupted ... not resent") once the claim was older
than a minute. The dispatcher no longer looks for them: run this once, with the older notifier
stopped, before starting the new one. Each such message claimed more than a minute ago (the
dispatcher's default `interrupted_after`) is recorded failed and unannounced, so the notifier
announces it on its first sweep; a younger one is left, and counted, for a run a minute later.

    python -m shared.migrations.notifier_sending [--database studio_notifier ...]

Without arguments it migrates the notifier database named by the environment's settings. Running
it again finds nothing to settle.
"""

import time
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.domain.messages import INTERRUPTED
from shared.migrations.command import run

INTERRUPTED_AFTER = 60.0  # seconds, as the dispatcher judges a claim whose process is gone


async def migrate(db: AsyncDatabase, now: datetime | None = None, wall: float | None = None,
                  after: float = INTERRUPTED_AFTER) -> int:
    """Each `sending` message claimed more than `after` seconds before `wall`: failed, unannounced."""
    now, wall = now or datetime.now(UTC), time.time() if wall is None else wall
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


if __name__ == "__main__":
    run(__doc__, ("notifier",), migrate, "interrupted message(s) recorded failed, to be announced")
