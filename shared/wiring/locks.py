"""Per-key asyncio locks: one writer per key inside a process.

FerretDB v1 writes whole documents back without an atomic compare-and-set, so two coroutines
updating one read-model row at once can lose a field. Within a process this serialises them;
across instances, co-partitioned topics keep a client on one instance (see consumer_options).
"""

import asyncio
from collections import defaultdict
from contextlib import asynccontextmanager


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._users: defaultdict[str, int] = defaultdict(int)

    @asynccontextmanager
    async def hold(self, key: str):
        self._users[key] += 1
        try:
            async with self._locks[key]:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # forget idle keys so memory stays flat
                del self._users[key], self._locks[key]
