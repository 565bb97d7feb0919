"""Versioned read-model rows never move backwards, whatever order events arrive in."""

import pytest

from shared.wiring.projection import upsert_if_newer

pytestmark = pytest.mark.integration


async def test_an_older_version_arriving_late_is_ignored(db):
    rows = db["rows"]
    await upsert_if_newer(rows, "k", 2, {"total": 9})

    applied = await upsert_if_newer(rows, "k", 1, {"total": 10})

    assert not applied and (await rows.find_one({"_id": "k"}))["total"] == 9


async def test_a_redelivery_of_the_same_version_changes_nothing(db):
    rows = db["rows"]
    await upsert_if_newer(rows, "k", 1, {"total": 10})

    assert not await upsert_if_newer(rows, "k", 1, {"total": 10})


async def test_versions_in_any_order_settle_on_the_newest(db):
    rows = db["rows"]

    for version in [3, 1, 5, 2, 4]:
        await upsert_if_newer(rows, "k", version, {"total": version})

    assert (await rows.find_one({"_id": "k"}))["total"] == 5
