"""The batches of aggregate versions whose events may not be published yet: the outbox's index.

Marking each version in the log once its events are out would cost, on FerretDB v1, a scan of
the whole log (the filter is pushed down, but PostgreSQL cannot serve it from an index) and a
rewrite of every marked document, state included (docs/architecture.md). An entry here instead
costs one insert before a batch's versions are written and one delete once their events are
published, in a collection that only holds the batches in flight (and those a crash left), so
the relay reads it rather than the log.
"""

from collections.abc import Collection
from datetime import UTC, datetime

from pymongo.asynchronous.collection import AsyncCollection


class PendingBatches:
    def __init__(self, collection: AsyncCollection) -> None:
        self._entries = collection

    async def add(self, batch: str, at: datetime) -> None:
        """Before the batch's versions are written, so a crash at any point leaves its trace."""
        await self._entries.insert_one({"_id": batch, "at": at})

    async def done(self, batches: Collection[str]) -> None:
        for batch in batches:
            await self._entries.delete_one({"_id": batch})

    async def holds(self, batch: str) -> bool:
        return await self._entries.find_one({"_id": batch}) is not None

    async def older_than(self, cutoff: datetime) -> list[str]:
        return [doc["_id"] for doc in await self._entries.find().to_list() if aware(doc["at"]) <= cutoff]


def aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
