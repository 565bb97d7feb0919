"""Two notifier instances on the real Kafka and FerretDB: what one commits of the members, or
defines, the other learns from the member feed, without reading the store."""

import asyncio
import uuid
from contextlib import asynccontextmanager
from functools import partial

import pytest
from aiokafka import AIOKafkaProducer

from services.notifier.adapters.member_feed import AnnouncedMembers, MemberFeed
from services.notifier.adapters.store import NotifierStore
from services.notifier.service_layer.catalog import Catalog
from services.notifier.service_layer.members import MEMBER
from shared.aggregates.store import AggregateStore
from shared.contract.topics import Topic
from shared.wiring.background import running
from shared.wiring.kafka import create_topics
from tests.integration.test_notifier_store import AT, owing, published, write
from tests.support.kafka import eventually

pytestmark = pytest.mark.integration


async def soon(check) -> None:
    """`check()` comes true within 10 s (the feed is read every half second at most)."""
    async def probe():
        return check()
    assert await eventually(probe, timeout=10, interval=0.05)


async def _outlast(_subscriber, step):
    return await step()


class Instance:
    def __init__(self, db, bootstrap: str, topic: Topic, producer: AIOKafkaProducer) -> None:
        async def send(topic_name, value, key, _headers):
            await producer.send_and_wait(topic_name, value, key=key)

        self.store = NotifierStore(db, lambda: AT)
        self.catalog = Catalog(self.store)
        self.feed = MemberFeed(bootstrap, topic, db.name, send, _outlast, lambda: AT)
        log = AggregateStore(db["member_versions"], MEMBER, published, lambda: AT, cache=self.store.book)
        self.members = AnnouncedMembers(log, self.feed)
        self.defined: list[tuple[list, list]] = []

    async def learnt(self, audiences, journeys) -> None:
        self.catalog.add(audiences, journeys)
        self.defined.append((audiences, journeys))


@asynccontextmanager
async def following(*instances: Instance):
    for instance in instances:
        await instance.feed.position()
        await instance.store.book.load()
    async with running([partial(i.feed.follow, i.store.book, i.learnt) for i in instances]):
        yield


@pytest.fixture
async def kafka(servers):
    topic = Topic(f"test.notifier.feed.{uuid.uuid4().hex[:8]}", 2)
    await create_topics(servers.kafka, [(topic.name, topic.partitions)])
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka)
    await producer.start()
    yield servers.kafka, topic, producer
    await producer.stop()


@pytest.fixture
def two(db, kafka):
    return Instance(db, *kafka), Instance(db, *kafka)


async def test_members_another_instance_committed_are_in_this_ones_audience(two):
    a, b = two
    async with following(a, b):
        await write(a.members, [owing("c1"), owing("c2", 0)])

        await soon(lambda: b.store.book.member("loc-1|c2") is not None)
        assert [m["client_id"] for m in await b.store.audience_members("owing-balance")] == ["c1"]
        assert (await b.store.member("loc-1|c2"))["balance_minor"] == 0


async def test_a_later_version_replaces_the_learned_one(two):
    a, b = two
    async with following(a, b):
        await write(a.members, [owing("c1")])
        await soon(lambda: b.store.book.member("loc-1|c1") is not None)
        await write(a.members, [owing("c1", 0)])

        await soon(lambda: b.store.book.get("loc-1|c1").number == 2)
        assert await b.store.audience_members("owing-balance") == []


async def test_an_instance_writing_after_learning_takes_the_next_version_number_at_once(two, db):
    a, b = two
    async with following(a, b):
        await write(a.members, [owing("c1")])
        await soon(lambda: b.store.book.member("loc-1|c1") is not None)

        await write(b.members, [owing("c1", 0)])

        assert await db["member_versions"].count_documents({"key": "loc-1|c1"}) == 2
        await soon(lambda: a.store.book.get("loc-1|c1").number == 2)


async def test_what_was_committed_before_an_instance_started_is_in_its_book_from_the_log(two):
    a, b = two
    await write(a.members, [owing("c1")])  # before b positioned its feed and loaded its book
    async with following(b):
        assert b.store.book.member("loc-1|c1") is not None


async def test_members_of_another_database_sharing_the_broker_are_not_learnt(two, db, kafka):
    a, b = two
    elsewhere = Instance(db.client[f"{db.name}_other"], *kafka)
    try:
        async with following(a, b, elsewhere):
            await write(elsewhere.members, [owing("c9")])
            await write(a.members, [owing("c1")])

            await soon(lambda: b.store.book.member("loc-1|c1") is not None)
            assert b.store.book.member("loc-1|c9") is None
    finally:
        await db.client.drop_database(f"{db.name}_other")


async def test_a_definition_another_instance_stored_reaches_this_ones_catalog(two):
    a, b = two
    journey = {"_id": "jrn-1", "name": "Reminder", "audience_id": "owing-balance",
               "steps": [{"after": "PT1H", "template_id": "tpl-1"}], "created_at": AT}
    async with following(a, b):
        await a.feed.defined(journeys=[journey])

        await soon(lambda: b.catalog.journeys_of("owing-balance"))
        assert [j.id for j in b.catalog.journeys_of("owing-balance")] == ["jrn-1"]
        assert b.defined[0][1][0]["created_at"] == AT  # the time it was defined comes with it
        assert a.defined == []  # its own records are not read back


async def test_a_follower_restarted_after_a_failure_reads_on_from_where_it_stopped(two):
    a, b = two
    await b.feed.position()
    follow = asyncio.create_task(b.feed.follow(b.store.book, b.learnt))
    await write(a.members, [owing("c1")])
    await soon(lambda: b.store.book.member("loc-1|c1") is not None)
    follow.cancel()  # as a failure stops it; the service restarts the job
    await asyncio.gather(follow, return_exceptions=True)

    await write(a.members, [owing("c2")])  # published while b is not following
    async with running([partial(b.feed.follow, b.store.book, b.learnt)]):
        await soon(lambda: b.store.book.member("loc-1|c2") is not None)
