"""A gatekeeper's batch: each record judged alone, the offsets committed only after all of it."""

import json
from types import SimpleNamespace

from pydantic import TypeAdapter

from shared.contract.sales import SalesEvent
from shared.rules import RuleViolation
from shared.wiring.batches import batch_decoder, judge_batch
from shared.wiring.dead_letter import describe

SALES = TypeAdapter(SalesEvent)


def _payment(transaction_id: str, currency: str = "USD") -> bytes:
    return json.dumps({"type": "account.transaction", "event_id": f"e-{transaction_id}",
                       "occurred_at": "2026-11-01T10:00:00Z", "location_id": "loc-1", "client_id": "c-1",
                       "transaction_id": transaction_id, "kind": "payment", "amount_minor": 1000,
                       "currency": currency}).encode()


class Batch:
    def __init__(self, *values: bytes) -> None:
        self.raw_message = [SimpleNamespace(value=v, offset=n) for n, v in enumerate(values)]
        self.log: list[str] = []

    async def ack(self) -> None:
        self.log.append("ack")


class DeadLetters:
    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.sent: list[tuple[int, str]] = []

    async def send(self, record, error: Exception) -> None:
        self.log.append("dead-letter")
        self.sent.append((record.offset, describe(error)))


async def test_bad_records_are_dead_lettered_alone_and_the_rest_applies_before_the_commit():
    batch = Batch(_payment("t-1"), b"{not json", _payment("t-2", currency="XYZ"), _payment("t-3"))
    events = await batch_decoder(SALES)(batch)
    dead_letters = DeadLetters(batch.log)
    applied: list[str] = []

    async def apply(valid: list) -> list:
        applied.extend(e.transaction_id for e in valid)
        batch.log.append("applied")
        return [(e, RuleViolation("t-3 breaks a rule")) for e in valid if e.transaction_id == "t-3"]

    await judge_batch(SALES, events, batch, apply, dead_letters)

    assert applied == ["t-1", "t-3"]
    assert [offset for offset, _ in dead_letters.sent] == [1, 2, 3]
    assert "JSON" in dead_letters.sent[0][1] and "currency" in dead_letters.sent[1][1]
    assert dead_letters.sent[2][1].endswith("t-3 breaks a rule")
    assert batch.log[-1] == "ack" and batch.log.count("ack") == 1
