"""Fakes for the consumers' failure model: a scripted handler, a dead-letter sink, a quick backoff."""

import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from pymongo.errors import OperationFailure

from shared.rules import RuleViolation
from shared.wiring.batches import Consumers
from shared.wiring.dead_letter import DeadLetters
from shared.wiring.failures import Backoff, Outages

QUICK = Backoff(first=0.001, cap=0.004)
READ_ONLY = "ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)"


class Sink:
    """Where dead letters go: (topic, value, headers) each, in order, into a shared log."""

    def __init__(self, log: list) -> None:
        self.log, self.sent = log, []

    async def send_raw(self, topic: str, value: bytes, key: bytes | None, headers: dict[str, str]) -> None:
        self.log.append("dead-letter")
        self.sent.append((topic, value, headers))

    def reasons(self) -> dict[str, str]:
        """event_id (or the raw value) -> x-error."""
        return {_event_id(value): headers["x-error"] for _, value, headers in self.sent}


def _event_id(value: bytes) -> str:
    try:
        return json.loads(value)["event_id"]
    except (ValueError, KeyError, TypeError):
        return value.decode(errors="replace")


class Script:
    """A handler that fails as told: `outages` times with the store read-only, then works; an
    event in `poison` raises a bug; one in `refuse` breaks a rule. Every call sees the outage
    watch's status (what /health/ready would say at that moment)."""

    def __init__(self, log: list, outages: Outages) -> None:
        self.log, self.watch = log, outages
        self.applied: list[str] = []
        self.outages, self.poison, self.refuse = 0, set(), set()
        self.statuses: list = []
        self.locations = self  # the credits handlers' location book

    async def apply(self, events) -> list:
        events = list(events)
        self.statuses.append(self.watch.status())
        if self.outages:
            self.outages -= 1
            raise OperationFailure(READ_ONLY, code=1)
        if self.poison & {e.event_id for e in events}:
            raise ValueError("boom")
        self.applied += [e.event_id for e in events]
        self.log.append("applied")
        return [(e, RuleViolation(f"{e.event_id} breaks a rule")) for e in events if e.event_id in self.refuse]

    # the names the four services' handlers go by
    apply_batch = follow_credits = apply


def quick_consumers(log: list) -> tuple[Consumers, Outages, Sink]:
    outages, sink = Outages(backoff=QUICK), Sink(log)
    return Consumers(DeadLetters(sink.send_raw), outages), outages, sink


def credit_entry(location_id: str = "loc-1", client_id: str = "c-1") -> dict:
    return {"event_id": f"ev-{uuid.uuid4().hex}", "type": "account.entry_recorded",
            "occurred_at": datetime.now(UTC).isoformat(), "location_id": location_id, "client_id": client_id,
            "entry_id": f"en-{uuid.uuid4().hex[:8]}", "sequence": 1, "entry_type": "Payment", "amount_minor": 1000,
            "balance_after_minor": 1000, "credit_balance_minor": 1000, "currency": "USD",
            "at": datetime.now(UTC).isoformat()}


class Batch:
    """A batch as a subscriber receives it: records with their position; `ack` logs the commit
    (or raises the next of `failures`)."""

    def __init__(self, log: list, *values: dict | bytes, topic: str = "studio.sales.v1", first_offset: int = 0) -> None:
        self.raw_message = tuple(SimpleNamespace(value=v if isinstance(v, bytes) else json.dumps(v).encode(),
                                                 offset=first_offset + n, topic=topic, partition=0, key=b"c-1")
                                 for n, v in enumerate(values))
        self.log, self.failures = log, []

    async def ack(self) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.log.append("ack")
