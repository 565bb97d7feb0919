"""Moves the responses that idempotency keys hold in their own document beside them.

Before responses were stored in `<collection>_responses` (shared.wiring.idempotency), a key's
document held its first request's response (`status_code`, `body`). The service no longer reads
them there: run this once against a store written by that code, before starting the new one, and
a repeated key replays its first response as before.

    python -m shared.migrations.idempotency_responses [--database studio_bookings ...]

Without arguments it migrates the bookings, credits and notifier databases named by the
environment's settings. A response already beside its key stays (it is the first one); running it
again finds nothing to move.
"""

from pymongo.asynchronous.database import AsyncDatabase

from shared.migrations.command import run
from shared.wiring.mongo import is_duplicate_key

SERVICES = ("bookings", "credits", "notifier")
KEYS = "idempotency_keys"


async def migrate(db: AsyncDatabase) -> int:
    """Each key holding its response: the response inserted beside it, then removed from the key."""
    keys, responses = db[KEYS], db[f"{KEYS}_responses"]
    moved = 0
    async for doc in keys.find({"status_code": {"$exists": True}}):
        response = {"_id": doc["_id"], "status_code": doc["status_code"], "body": doc["body"], "at": doc["at"]}
        try:
            await responses.insert_one(response)
        except Exception as error:  # already moved by a run that stopped half-way
            if not is_duplicate_key(error):
                raise
        await keys.update_one({"_id": doc["_id"]}, {"$unset": {"status_code": "", "body": ""}})
        moved += 1
    return moved


if __name__ == "__main__":
    run(__doc__, SERVICES, migrate, "response(s) moved beside their key")
