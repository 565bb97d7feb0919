"""Gives the latest version of every credits aggregate the sweeper's index: `expiring_credit`.

The sweeper finds due lots by the top-level equality `expiring_credit: true` (FerretDB v1 sends
it to PostgreSQL; see services/credits/adapters/store.py). Versions stored before it carry either
`next_credit_expiry_on` alone or, before zones, `next_credit_expiry` (the UTC end of the day),
and the sweeper no longer looks for those. Run this once against a store written by that code,
before starting the new one: each client's latest version gets its index fields recomputed from
its state, and loses the old field. Superseded versions are left to the compactor; only the
latest decides what the sweeper does.

    python -m shared.migrations.credit_expiry_index [--database studio_credits]

Without arguments it migrates the credits log named by the environment's settings. Running it
again finds nothing to change.
"""

import argparse
import asyncio

from pymongo.asynchronous.collection import AsyncCollection

from services.credits.domain.aggregate import ClientCredits
from services.credits.adapters.store import expiry_index
from shared.wiring import mongo
from shared.wiring.settings import Settings
from shared.aggregates.versions import version_id

LOG = "client_credits"
OLD_FIELDS = ("next_credit_expiry", "next_credit_expiry_on", "expiring_credit")


async def migrate(log: AsyncCollection) -> int:
    """Returns how many latest versions changed."""
    changed = 0
    for key, number in (await _latest_numbers(log)).items():
        doc = await log.find_one({"_id": version_id(key, number)})
        if doc is None or doc.get("state") is None:
            continue
        index = expiry_index(ClientCredits.from_document(doc["state"]))
        gone = {f: "" for f in OLD_FIELDS if f in doc and f not in index}
        if gone or any(doc.get(f) != v for f, v in index.items()):
            await log.update_one({"_id": doc["_id"]}, {"$set": index, **({"$unset": gone} if gone else {})})
            changed += 1
    return changed


async def _latest_numbers(log: AsyncCollection) -> dict[str, int]:
    latest: dict[str, int] = {}
    async for doc in log.find({}, {"key": 1, "version": 1}):
        latest[doc["key"]] = max(doc["version"], latest.get(doc["key"], 0))
    return latest


async def main(database: str, url: str) -> None:
    client = mongo.connect(url)
    try:
        changed = await migrate(client[database][LOG])
        print(f"{database}.{LOG}: {changed} latest version(s) given the expiry index")
    finally:
        await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database")
    arguments, settings = parser.parse_args(), Settings()
    asyncio.run(main(arguments.database or settings.model_copy(update={"service_name": "credits"}).database_name,
                     settings.mongodb_url))
