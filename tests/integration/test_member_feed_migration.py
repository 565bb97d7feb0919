"""The notifier's old member feed (two collections in its database) is dropped by its one-off command."""

import pytest

from shared.migrations.member_feed import migrate

pytestmark = pytest.mark.integration


async def test_the_old_feed_collections_are_dropped_and_the_member_log_is_left_alone(db):
    await db["member_feed"].insert_one({"_id": "e-1", "key": "1800000000", "by": "x"})
    await db["member_feed_versions"].insert_one({"_id": "e-1", "key": "1800000000", "versions": []})
    await db["member_versions"].insert_one({"_id": "loc-1|c1|1", "key": "loc-1|c1", "version": 1})

    assert await migrate(db) == 2
    assert await migrate(db) == 0  # once is enough

    names = set(await db.list_collection_names())
    assert "member_feed" not in names and "member_feed_versions" not in names
    assert await db["member_versions"].count_documents({}) == 1
