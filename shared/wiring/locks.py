"""Per-key asyncio locks: one writer per key inside a process.

The aggregate store holds one per aggregate while it decides and inserts the next version, so
the writers of one process (two subscribers, a route) take turns instead of racing for the same
version number; across processes the unique insert decides (shared.wiring.recorder). A key's lock
is forgotten once nobody holds or waits for it, so memory stays flat.
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
