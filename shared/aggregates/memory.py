"""The aggregates of one kind in memory: the fake behind a unit of work in unit tests.

It keeps every version and publishes on commit, as the store does, and can be told that another
writer got to an aggregate first (`rival`), so a handler's retry is tested without a database.
"""

from contextlib import asynccontextmanager
from typing import Generic

from shared.aggregates.unit_of_work import A, Attempts, Kind, key_of
from shared.aggregates.versions import Version, first_version


class InMemoryAggregates(Generic[A]):
    def __init__(self, kind: Kind[A]) -> None:
        self.kind = kind
        self.log: dict[str, list[Version]] = {}
        self.published: list[dict] = []  # every event, in the order it was published
        self.commits = 0
        self._rivals: dict[str, dict] = {}  # key -> a state another writer stores before our next commit

    def attempts(self) -> Attempts[A]:
        return Attempts(self, self.kind)

    async def read(self, *owner: str) -> A | None:
        version = await self.fresh(key_of(owner))
        return self.kind.load(version.state) if version.state is not None else None

    def rival(self, owner: tuple[str, ...], state: dict) -> None:
        """Another writer stores `state` as the next version just before our next commit of it."""
        self._rivals[key_of(owner)] = state

    def known(self, key: str) -> Version | None:
        return self.log[key][-1] if key in self.log else None

    async def fresh(self, key: str) -> Version:
        return self.known(key) or first_version(key)

    @asynccontextmanager
    async def hold(self, keys: list[str]):
        yield

    async def commit(self, changed: list[tuple[Version, Version]], idle: list[Version]) -> set[str]:
        self.commits += 1
        for key, state in list(self._rivals.items()):
            if any(new.key == key for _, new in changed):
                current = await self.fresh(key)
                self.log.setdefault(key, []).append(Version(key, current.number + 1, state, [], True))
                del self._rivals[key]
        lost = {new.key for _, new in changed if (await self.fresh(new.key)).number >= new.number}
        for _, new in changed:
            if new.key not in lost:
                self.log.setdefault(new.key, []).append(new)
                self.published += new.events
        return lost
