"""Unique-keyed inserts from concurrent requests, written together (a group commit).

FerretDB v1 spends most of an insert's cost per call, not per document (docs/services/bookings.md).
So the inserts of requests in flight at the same time share one unordered `insert_many`: while
one call is on its way the next documents queue, and each caller learns its own outcome.
"""

import asyncio

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, WriteError

from shared.wiring.mongo import DUPLICATE_KEY


class GroupedInserts:
    def __init__(self, collection: AsyncCollection, max_batch: int = 500) -> None:
        self._collection = collection
        self._max_batch = max_batch
        self._queue: list[tuple[dict, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def insert(self, doc: dict) -> bool:
        """True once `doc` is stored; False if its `_id` was already taken; raises any other failure."""
        outcome = asyncio.get_running_loop().create_future()
        self._queue.append((doc, outcome))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued())
        return await outcome

    async def insert_all(self, docs: list[dict]) -> list[bool]:
        """`insert` for each document, in order; raises the first failure once all are settled."""
        outcomes = await asyncio.gather(*(self.insert(doc) for doc in docs), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return outcomes

    async def _write_queued(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:self._max_batch], self._queue[self._max_batch:]
            try:
                failures = await self._insert([doc for doc, _ in batch])
            except Exception as error:  # the whole call failed: every caller sees it
                for _, outcome in batch:
                    _settle(outcome, error=error)
                continue
            for index, (_, outcome) in enumerate(batch):
                failure = failures.get(index)
                if failure is None or failure.get("code") == DUPLICATE_KEY:
                    _settle(outcome, result=failure is None)
                else:
                    _settle(outcome, error=WriteError(failure.get("errmsg", "insert failed"), failure.get("code")))

    async def _insert(self, docs: list[dict]) -> dict[int, dict]:
        """The failed documents by index (unordered: the others are stored)."""
        try:
            await self._collection.insert_many(docs, ordered=False)
        except BulkWriteError as error:
            return {f["index"]: f for f in error.details.get("writeErrors", [])}
        return {}


def _settle(outcome: asyncio.Future, result: bool = False, error: Exception | None = None) -> None:
    if outcome.done():  # its caller gave up (a client hung up): nothing to tell
        return
    if error is not None:
        outcome.set_exception(error)
    else:
        outcome.set_result(result)
