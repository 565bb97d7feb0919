"""Two notifier instances on the real FerretDB: what one writes of the members, the other's book learns."""

import pytest

from services.notifier.member_feed import RETENTION_S, MemberFeed
from services.notifier.store import NotifierStore
from tests.integration.test_notifier_store import owing

pytestmark = pytest.mark.integration


async def _outlast(_subscriber, step):
    return await step()


class Clock:
    def __init__(self, at: float = 1_800_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def instance(db, wall) -> NotifierStore:
    store = NotifierStore(db)
    store.feed = MemberFeed(db["member_feed"], store.book, _outlast, wall)
    store.book.on_written = store.feed.announce
    return store


async def test_members_another_instance_wrote_are_in_this_ones_audience_after_a_read(db):
    wall = Clock()
    a, b = instance(db, wall), instance(db, wall)
    await a.book.write([owing("c1"), owing("c2", 0)])
    wall.at += 0.4

    assert await b.feed.read() == 2
    assert [m["client_id"] for m in await b.audience_members("owing-balance")] == ["c1"]
    assert (await b.member("loc-1|c2"))["balance_minor"] == 0


async def test_a_later_version_replaces_the_learned_one_and_nothing_is_learned_twice(db):
    wall = Clock()
    a, b = instance(db, wall), instance(db, wall)
    await a.book.write([owing("c1")])
    await b.feed.read()
    wall.at += 1.2
    await a.book.write([owing("c1", 0)])

    assert await b.feed.read() == 1
    assert await b.feed.read() == 0
    assert await b.audience_members("owing-balance") == []
    assert await a.feed.read() == 0  # its own entries are not read back


async def test_an_instance_writing_after_learning_takes_the_next_version_number(db):
    wall = Clock()
    a, b = instance(db, wall), instance(db, wall)
    await a.book.write([owing("c1")])
    await b.feed.read()

    assert await b.book.write([owing("c1", 0)]) == set()  # no lost insert, no reload
    assert await db["member_versions"].count_documents({"key": "loc-1|c1"}) == 2


async def test_entries_older_than_a_minute_are_deleted(db):
    wall = Clock()
    a, b = instance(db, wall), instance(db, wall)
    await a.book.write([owing("c1")])
    await b.feed.read()
    wall.at += RETENTION_S + 2

    await b.feed.read()

    assert await db["member_feed"].count_documents({}) == await db["member_feed_versions"].count_documents({}) == 0
