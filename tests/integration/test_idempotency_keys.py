"""Idempotency keys on FerretDB: claimed by insert, replayed from what the first request stored."""

import asyncio
import json
from datetime import UTC, datetime

import pytest

from shared.migrations import idempotency_responses
from shared.wiring.grouped_inserts import GroupedInserts
from shared.wiring.idempotency import IdempotencyKeys, _fingerprint, idempotent

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 23, tzinfo=UTC)


class Command:
    def __init__(self) -> None:
        self.runs: list[str] = []

    async def __call__(self, command_id: str) -> dict:
        self.runs.append(command_id)
        return {"booking_id": f"bk-{command_id[-6:]}"}


async def _call(keys, command, key, body=None):
    response = await idempotent(keys, "staff-1|/v1/x", key, body or {"a": 1}, command, AT, status_code=202)
    return response.status_code, json.loads(response.body), response.headers.get("Idempotent-Replayed")


async def test_a_repeated_key_returns_the_first_response_without_running_again(db):
    keys, command = IdempotencyKeys(db["idempotency_keys"]), Command()

    first = await _call(keys, command, "k-1")
    again = await _call(keys, command, "k-1")

    assert first[:2] == again[:2] and first[0] == 202
    assert (first[2], again[2]) == (None, "true")
    assert len(command.runs) == 1


async def test_a_restarted_service_still_replays_a_stored_response(db):
    command = Command()
    first = await _call(IdempotencyKeys(db["idempotency_keys"]), command, "k-1")

    again = await _call(IdempotencyKeys(db["idempotency_keys"]), command, "k-1")

    assert again[:2] == first[:2] and len(command.runs) == 1


async def test_a_key_reused_with_another_body_is_refused(db):
    keys, command = IdempotencyKeys(db["idempotency_keys"]), Command()
    await _call(keys, command, "k-1", {"a": 1})

    status, body, _ = await _call(keys, command, "k-1", {"a": 2})

    assert status == 422 and "Idempotency-Key" in json.dumps(body)
    assert len(command.runs) == 1


async def test_a_request_that_failed_may_be_repeated_with_the_same_body(db):
    keys, command = IdempotencyKeys(db["idempotency_keys"]), Command()

    async def refuse(command_id: str) -> dict:
        raise RuntimeError("broker down")

    with pytest.raises(RuntimeError):
        await _call(keys, refuse, "k-1")
    status, _, replayed = await _call(keys, command, "k-1")

    assert (status, replayed) == (202, None) and len(command.runs) == 1


async def test_twins_in_flight_run_the_same_command_and_keep_one_response(db):
    keys, command = IdempotencyKeys(db["idempotency_keys"]), Command()

    results = await asyncio.gather(*(_call(keys, command, "k-1") for _ in range(5)))

    assert len({json.dumps(body) for _, body, _ in results}) == 1
    assert len(set(command.runs)) == 1  # whoever ran, ran the one command the key stands for
    assert await db["idempotency_keys_responses"].count_documents({}) == 1


async def _key_stored_with_its_response(db) -> None:
    """A key as the code before `<collection>_responses` stored it: the response in its document."""
    await db["idempotency_keys"].insert_one({"_id": "staff-1|/v1/x|old", "fingerprint": _fingerprint({"a": 1}),
                                             "status_code": 202, "body": {"booking_id": "bk-old"}, "at": AT})


async def test_keys_stored_with_their_response_in_one_document_are_replayed_once_migrated(db):
    keys, command = IdempotencyKeys(db["idempotency_keys"]), Command()
    await _key_stored_with_its_response(db)

    assert await idempotency_responses.migrate(db) == 1

    assert await _call(keys, command, "old") == (202, {"booking_id": "bk-old"}, "true")
    assert command.runs == []
    assert "body" not in await db["idempotency_keys"].find_one({"_id": "staff-1|/v1/x|old"})


async def test_migrating_the_keys_again_moves_nothing_and_keeps_the_first_response(db):
    await _key_stored_with_its_response(db)
    await idempotency_responses.migrate(db)
    await _call(IdempotencyKeys(db["idempotency_keys"]), Command(), "new")

    assert await idempotency_responses.migrate(db) == 0
    assert await db["idempotency_keys_responses"].count_documents({}) == 2
    assert (await db["idempotency_keys_responses"].find_one({"_id": "staff-1|/v1/x|old"}))["body"] == \
        {"booking_id": "bk-old"}


async def test_concurrent_inserts_share_calls_and_each_learns_its_own_outcome(db):
    inserts = GroupedInserts(db["things"])
    await db["things"].insert_one({"_id": "taken"})

    outcomes = await asyncio.gather(*(inserts.insert({"_id": i}) for i in ["a", "taken", "b", "a", "c"]))

    assert outcomes == [True, False, True, False, True]
    assert sorted(d["_id"] for d in await db["things"].find().to_list()) == ["a", "b", "c", "taken"]
