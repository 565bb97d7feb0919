"""What the store may rely on for concurrency: a unique insert has exactly one winner.

A filtered update is no compare-and-set on FerretDB v1 (it reads in Go and writes back by _id),
so the aggregate store is built on unique inserts instead. This test pins the primitive.
"""

import asyncio

import pytest

from shared.wiring.mongo import is_duplicate_key

pytestmark = pytest.mark.integration


async def test_exactly_one_of_many_racing_inserts_of_one_id_wins(db):
    async def insert() -> bool:
        try:
            await db["log"].insert_one({"_id": "client#000000000002"})
        except Exception as error:
            assert is_duplicate_key(error)
            return False
        return True

    outcomes = await asyncio.gather(*(insert() for _ in range(20)))

    assert outcomes.count(True) == 1
