"""Per-key asyncio locks: one writer per key inside a process.

Across processes the version log's unique insert decides (shared.aggregates.recorder); inside one,
taking turns per aggregate spares a racing writer its lost insert and reload (the bookings
service writes one client's aggregate from two subscribers at once).
"""

import asyncio
from collections import defaultdict
from contextlib import AsyncExitStack, asynccontextmanager


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

    @asynccontextmanager
    async def hold_all(self, keys: list[str]):
        """Every key, taken in one order for everyone, so no two holders wait on each other."""
        async with AsyncExitStack() as held:
            for key in sorted(set(keys)):
                await held.enter_async_context(self.hold(key))
            yield
