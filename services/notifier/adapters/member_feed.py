"""What the other notifier instances committed and defined: a Kafka topic every instance reads
whole, so that each instance's MemberBook holds every member (not only those of its own
partitions) and its Catalog every audience and journey, with no read of the store.

A writer, once a batch's member versions are committed (`AnnouncedMembers`, the members'
AggregateStore as MemberChanges sees it), publishes them as one record; a staff definition is
published once it is stored (Definitions). Every instance reads every partition with no consumer
group, from where the topic ended when it started (`position`, run before the book and the
catalog are loaded: what was committed before is in the store, what is committed after is on the
topic, so nothing falls between). The book keeps the highest version of each member, so a record
read twice, or one's own, changes nothing.

Records are BSON (a member's dates and datetimes round-trip as the book keeps them), carry the
database they belong to (deployments and test runs share a broker: another database's members
are not ours) and the writer's process id (its own records are skipped).

Kafka reads cost the store nothing: the feed this replaces, in the database, cost a read twice
a second per instance, and two inserts and a delete per batch (docs/instances.md). A crash
between a commit and its record leaves the other instances with the previous versions of that
batch's members until they change again or the instance restarts (it loads the whole log); the
next commit of such a member is not lost: its insert loses to the stored version and is redone
on it (shared.aggregates.store).
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

import bson
from aiokafka import AIOKafkaConsumer, TopicPartition
from bson.codec_options import CodecOptions

from services.notifier.adapters.member_book import MemberBook
from services.notifier.domain.member import Member
from shared.aggregates.store import AggregateStore
from shared.aggregates.unit_of_work import Attempts
from shared.aggregates.versions import Version
from shared.contract.topics import Topic

BSON = CodecOptions(tz_aware=True)
Send = Callable[[str, bytes, bytes | None, dict], Awaitable[None]]  # shared.wiring.kafka.raw_sender
Outlast = Callable[[str, Callable[[], Awaitable[None]]], Awaitable[None]]
Learnt = Callable[[list[dict], list[dict]], Awaitable[None]]  # (audiences, journeys) another instance defined

PER_RECORD = 200  # members: a record stays well under the broker's 1 MB default


class MemberFeed:
    def __init__(self, bootstrap_servers: str, topic: Topic, database: str, send: Send, outlast: Outlast,
                 now: Callable[[], datetime]) -> None:
        self._bootstrap, self._topic, self._database = bootstrap_servers, topic, database
        self._send, self._outlast, self._now = send, outlast, now
        self._me = uuid.uuid4().hex  # this process: its own records are not read back
        self._consumer: AIOKafkaConsumer | None = None
        self._next: dict[TopicPartition, int] = {}  # partition -> the offset after the last record read

    async def position(self) -> None:
        """At start, before the book and the catalog are loaded: read from the topic's ends as now."""
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None,
                                          enable_auto_commit=False)
        await self._consumer.start()
        partitions = [TopicPartition(self._topic.name, p) for p in range(self._topic.partitions)]
        self._consumer.assign(partitions)
        for partition, end in (await self._consumer.end_offsets(partitions)).items():
            # after a failure: on from the last record read, so nothing published meanwhile is missed
            self._consumer.seek(partition, self._next.get(partition, end))

    async def announce(self, versions: list[dict]) -> None:
        """After `versions` ({key, version, member}) are stored: tell the other instances. Waits
        out a failing broker (the batch is not acked before), never gives up."""
        for start in range(0, len(versions), PER_RECORD):
            chunk = versions[start:start + PER_RECORD]
            await self._publish({"members": chunk}, chunk[0]["key"])

    async def defined(self, audiences: list[dict] = (), journeys: list[dict] = ()) -> None:
        """After a definition is stored: the other instances judge with it from now on."""
        await self._publish({"audiences": list(audiences), "journeys": list(journeys)}, "definitions")

    async def _publish(self, body: dict, key: str) -> None:
        # `at`: the writer's clock once stored; a reader trusts the versions for writing from then
        # on only (MemberBook), however late it reads them
        value = bson.encode({"database": self._database, "by": self._me, "at": self._now(), **body})
        await self._outlast("notifier/member-feed", lambda: self._send(self._topic.name, value, key.encode(), {}))

    async def follow(self, book: MemberBook, learnt: Learnt) -> None:
        """Background job: put what other instances committed in `book`, pass on what they defined."""
        if self._consumer is None:
            await self.position()
        try:
            while True:
                for partition, records in (await self._consumer.getmany(timeout_ms=500, max_records=500)).items():
                    for record in records:
                        await self._learn(bson.decode(record.value, BSON), book, learnt)
                        self._next[partition] = record.offset + 1
        finally:
            consumer, self._consumer = self._consumer, None  # a restarted follow positions anew
            await consumer.stop()

    async def _learn(self, body: dict, book: MemberBook, learnt: Learnt) -> None:
        if body.get("database") != self._database or body.get("by") == self._me:
            return
        for version in body.get("members", ()):
            # published: its writer's outbox publishes its events (or the relay does)
            book.put(Version(version["key"], version["version"], version["member"], [], True), body.get("at"))
        if body.get("audiences") or body.get("journeys"):
            await learnt(body.get("audiences", []), body.get("journeys", []))


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
