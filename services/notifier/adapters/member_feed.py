"""What the other instances wrote of the members: a feed every instance follows, so that each
instance's MemberBook holds every member, not only those of its own partitions.

A writer, once a batch's member versions are committed (`AnnouncedMembers`, the members'
AggregateStore as MemberChanges sees it), inserts them as one entry under `key` =
the wall-clock second it was written: a top-level equality, the one filter FerretDB v1 hands to
PostgreSQL (served there by the GIN index on `key`; a range on a date would run in Go over the
whole collection). The versions go in `member_feed_versions`, a small mark with the same `_id`
in `member_feed`: the marks of the last few seconds are read again every round, and FerretDB
decodes in Go whatever the equality matched. Twice a second every instance reads the marks it
has not seen, fetches their versions by `_id` and puts them in its book, which keeps the highest
version of each member, so reading an entry twice, or one's own, changes nothing. Entries are
deleted a minute after they were written: the log (member_versions) stays the truth.

The wall clock, not the service's clock: the feed is plumbing between processes (tests move the
service's clock by days). An entry whose insert took long may land after its second was read,
so it is inserted again under a later second. A crash between the versions' insert and the
entry's leaves other instances with the previous versions of that batch's members until they
change again or the instance restarts (it loads the whole log).
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from math import floor

from pymongo.asynchronous.collection import AsyncCollection

from services.notifier.domain.member import Member
from services.notifier.adapters.member_book import MemberBook
from shared.aggregates.store import AggregateStore
from shared.aggregates.unit_of_work import Attempts
from shared.aggregates.versions import Version

Outlast = Callable[[str, Callable[[], Awaitable[None]]], Awaitable[None]]

MARGIN_S = 2  # seconds read again: an entry written near a second's end, or by a clock a little behind
SLOW_S = 1.0  # an insert slower than this is repeated under a later second
RETENTION_S = 60


class MemberFeed:
    def __init__(self, entries: AsyncCollection, book: MemberBook, outlast: Outlast,
                 wall: Callable[[], float] = time.time) -> None:
        self._entries, self._book, self._outlast, self._wall = entries, book, outlast, wall
        self._versions = entries.database[f"{entries.name}_versions"]  # each entry's payload, by its `_id`
        self._me = uuid.uuid4().hex  # this process: its own entries are not read back
        self._read_from = wall()  # what was written before the book was loaded is in the log
        self._seen: dict[str, int] = {}  # entry id -> its second, within the window
        self._deleted_to = floor(self._read_from) - RETENTION_S

    async def ensure_indexes(self) -> None:
        for collection in (self._entries, self._versions):  # MongoDB's; FerretDB's lookups use the GIN one
            await collection.create_index([("key", 1)])

    async def announce(self, versions: list[dict]) -> None:
        """After `versions` ({key, version, member}) are stored: tell the other instances. Waits
        out a failing store (the batch is not acked before), never gives up."""
        if versions:
            await self._outlast("notifier/member-feed", lambda: self._insert(versions))

    async def _insert(self, versions: list[dict], tries: int = 5) -> None:
        for _ in range(tries):
            started, entry = self._wall(), uuid.uuid4().hex
            second = str(floor(started))
            await self._versions.insert_one({"_id": entry, "key": second, "versions": versions})
            await self._entries.insert_one({"_id": entry, "key": second, "by": self._me})
            if self._wall() - started <= SLOW_S:
                return

    async def follow(self, every: float = 0.5, also: tuple[Callable[[], Awaitable[None]], ...] = ()) -> None:
        """Read the feed every `every` seconds, and run `also` (the other caches' refreshes) after it."""
        while True:
            await self.read()
            for refresh in also:
                await refresh()
            await asyncio.sleep(every)

    async def read(self) -> int:
        """Put in the book what other instances wrote since the last read; returns how many versions."""
        started = self._wall()
        learned = 0
        for second in range(floor(self._read_from) - MARGIN_S, floor(started) + 1):
            learned += await self._read_second(second)
        self._read_from = started
        self._seen = {i: s for i, s in self._seen.items() if s >= floor(started) - MARGIN_S}
        await self._delete_before(floor(started) - RETENTION_S)
        return learned

    async def _read_second(self, second: int) -> int:
        seen = [i for i, s in self._seen.items() if s == second]
        query = {"key": str(second), "by": {"$ne": self._me}, **({"_id": {"$nin": seen}} if seen else {})}
        learned = 0
        for entry in await self._entries.find(query).to_list():
            self._seen[entry["_id"]] = second
            payload = await self._versions.find_one({"_id": entry["_id"]})
            for version in payload["versions"] if payload else ():  # gone: older than the retention
                # published: its writer's outbox publishes its events (or the relay does)
                self._book.put(Version(version["key"], version["version"], version["member"], [], True))
                learned += 1
        return learned

    async def _delete_before(self, second: int) -> None:
        for old in range(max(self._deleted_to, second - RETENTION_S), second):
            await self._entries.delete_many({"key": str(old)})
            await self._versions.delete_many({"key": str(old)})
        self._deleted_to = max(self._deleted_to, second)


class AnnouncedMembers:
    """The members' AggregateStore (shared.aggregates.store), announcing on the feed every
    version it commits, once the insert has won."""

    def __init__(self, store: AggregateStore[Member], feed: MemberFeed) -> None:
        self._store, self._feed = store, feed

    def attempts(self) -> Attempts[Member]:
        return Attempts(self, self._store.kind)

    async def read(self, *owner: str) -> Member | None:
        return await self._store.read(*owner)

    def known(self, key: str) -> Version | None:
        return self._store.known(key)

    async def fresh(self, key: str) -> Version:
        return await self._store.fresh(key)

    def hold(self, keys: list[str]):
        return self._store.hold(keys)

    async def commit(self, changed: list[tuple[Version, Version]], idle: list[Version]) -> set[str]:
        lost = await self._store.commit(changed, idle)
        await self._feed.announce([{"key": new.key, "version": new.number, "member": new.state}
                                   for _, new in changed if new.key not in lost])
        return lost
