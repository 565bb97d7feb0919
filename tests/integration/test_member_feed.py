"""Two notifier instances on the real FerretDB: what one commits of the members, the other's book learns."""

import pytest

from services.notifier.service_layer.members import MEMBER
from services.notifier.adapters.member_feed import RETENTION_S, AnnouncedMembers, MemberFeed
from services.notifier.adapters.store import NotifierStore
from shared.aggregates.store import AggregateStore
from tests.integration.test_notifier_store import AT, owing, published, write

pytestmark = pytest.mark.integration


async def _outlast(_subscriber, step):
    return await step()


class Wall:
    def __init__(self, at: float = 1_800_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


class Instance:
    def __init__(self, db, wall: Wall) -> None:
        self.store = NotifierStore(db)
        self.feed = MemberFeed(db["member_feed"], self.store.book, _outlast, wall)
        log = AggregateStore(db["member_versions"], MEMBER, published, lambda: AT, cache=self.store.book)
        self.members = AnnouncedMembers(log, self.feed)


@pytest.fixture
def two(db):
    wall = Wall()
    return Instance(db, wall), Instance(db, wall), wall


async def test_members_another_instance_committed_are_in_this_ones_audience_after_a_read(two):
    a, b, wall = two
    await write(a.members, [owing("c1"), owing("c2", 0)])
    wall.at += 0.4

    assert await b.feed.read() == 2
    assert [m["client_id"] for m in await b.store.audience_members("owing-balance")] == ["c1"]
    assert (await b.store.member("loc-1|c2"))["balance_minor"] == 0


async def test_a_later_version_replaces_the_learned_one_and_nothing_is_learned_twice(two):
    a, b, wall = two
    await write(a.members, [owing("c1")])
    await b.feed.read()
    wall.at += 1.2
    await write(a.members, [owing("c1", 0)])

    assert await b.feed.read() == 1
    assert await b.feed.read() == 0
    assert await b.store.audience_members("owing-balance") == []
    assert await a.feed.read() == 0  # its own entries are not read back


async def test_an_instance_writing_after_learning_takes_the_next_version_number_at_once(two, db):
    a, b, _ = two
    await write(a.members, [owing("c1")])
    await b.feed.read()

    await write(b.members, [owing("c1", 0)])

    assert await db["member_versions"].count_documents({"key": "loc-1|c1"}) == 2
    assert await b.feed.read() == 0 and await a.feed.read() == 1


async def test_entries_older_than_a_minute_are_deleted(two, db):
    a, b, wall = two
    await write(a.members, [owing("c1")])
    await b.feed.read()
    wall.at += RETENTION_S + 2

    await b.feed.read()

    assert await db["member_feed"].count_documents({}) == await db["member_feed_versions"].count_documents({}) == 0
