"""The credits consumer against a real FerretDB whose PostgreSQL falls sick: read-only, its
sessions ended mid-batch, statements timed out. Every payment is waited for, none is
dead-lettered, and the balance is right once the database heals; refused input and a bug in our
code still cost only their own event.

The FerretDB here is a private one on a PostgreSQL database of its own (tests/support/postgres.py),
so the faults touch no one else sharing the cluster.
"""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter
from pymongo import AsyncMongoClient

from services.credits.service_layer.handlers import CreditsHandlers
from services.credits.adapters.store import CreditsStore
from shared.contract.sales import SalesEvent
from shared.wiring.batches import BatchConsumer
from shared.wiring.clock import ManualClock
from shared.wiring.dead_letter import DeadLetters
from shared.wiring.failures import Backoff, Outages
from shared.wiring.locations import LocationBook
from tests.support import events as ev
from tests.support.consumers import Batch, Sink
from tests.support.postgres import FERRETDB_BIN, available, private_ferretdb

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not (available() and FERRETDB_BIN.exists()),
                                 reason="needs the local PostgreSQL and the FerretDB binary")]

SALES = TypeAdapter(SalesEvent)
LOCATION = "loc-sick"


@pytest.fixture(scope="module")
def sick_store():
    with private_ferretdb(f"failmodel_{uuid.uuid4().hex[:8]}") as (url, postgres):
        yield url, postgres


class Credits:
    """The credits service's sales consumer on the private FerretDB, with a dead-letter sink."""

    def __init__(self, db) -> None:
        self.db, self.log = db, []
        self.clock = ManualClock(datetime(2026, 11, 30, 12, tzinfo=UTC))
        self.published: list[dict] = []
        self.store = CreditsStore(db, self._publish, self.clock.now)
        self.sink = Sink(self.log)
        self.outages = Outages(backoff=Backoff(first=0.05, cap=0.5))
        handlers = CreditsHandlers(self.store, self.clock, LocationBook(db["locations"]))
        self.consumer = BatchConsumer("credits/sales", "g.sales", SALES, handlers.apply_batch,
                                      DeadLetters(self.sink.send_raw), self.outages)
        self.offset = 0

    async def _publish(self, events: list[dict]) -> None:
        self.published += events

    async def consume(self, *values) -> None:
        batch = Batch(self.log, *values, first_offset=self.offset)
        self.offset += len(values)
        await self.consumer(await _decode(batch), batch)

    async def stored_balance(self, client_id: str) -> int | None:
        """As a restarted service would read it: from the database, not the cache (FerretDB may still
        hold a session PostgreSQL ended: the read waits that out like a consumer)."""
        fresh_store = CreditsStore(self.db, self._publish, self.clock.now)
        fresh = await Outages(backoff=Backoff(0.05, 0.5)).outlast("test", lambda: fresh_store.aggregates.read(LOCATION, client_id))
        return fresh.balance()["balance_minor"] if fresh else None


async def _decode(batch: Batch) -> list:
    from shared.wiring.batches import batch_decoder
    return await batch_decoder(SALES)(batch)


@pytest.fixture
async def credits(sick_store):
    url, _ = sick_store
    client = AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000)
    db = client[f"t{uuid.uuid4().hex[:8]}"]
    service = Credits(db)
    await service.store.ensure_indexes()
    yield service
    await client.close()


def _payments(client_id: str, n: int, amount: int = 1000) -> list[dict]:
    return [ev.account_transaction(LOCATION, client_id, "payment", amount) for _ in range(n)]


async def _consume_in_batches(credits: Credits, events: list[dict], size: int = 5) -> None:
    for start in range(0, len(events), size):
        await credits.consume(*events[start:start + size])
        await asyncio.sleep(0.2)  # payments keep arriving while the database is sick


async def _while_sick(credits: Credits, sickness, heal, events: list[dict], seconds: float = 3.0) -> list:
    """Consume `events` while the database is sick for `seconds`; returns what readiness said."""
    await asyncio.to_thread(sickness)
    said = []
    try:
        consuming = asyncio.create_task(_consume_in_batches(credits, events))
        for _ in range(int(seconds / 0.5)):
            await asyncio.sleep(0.5)
            said.append(credits.outages.status())
        assert credits.log.count("ack") < len(events) // 5, "batches were committed while the database was sick"
    finally:
        await asyncio.to_thread(heal)
    await asyncio.wait_for(consuming, timeout=120)
    return said


async def test_payments_while_postgresql_is_read_only_are_waited_for_and_the_balance_is_right(credits, sick_store):
    _, postgres = sick_store
    payments = _payments("c-ro", 20)

    said = await _while_sick(credits, postgres.read_only, postgres.restore, payments)

    assert credits.sink.sent == []
    assert await credits.stored_balance("c-ro") == 20_000
    assert len([e for e in credits.published if e["type"] == "account.entry_recorded"]) == 20
    assert any(isinstance(s, str) and s.startswith("retrying: credits/sales: ") for s in said), said
    assert credits.outages.status() is True


async def test_payments_while_postgresql_ends_ferretdbs_sessions_mid_batch_are_all_stored(credits, sick_store):
    _, postgres = sick_store
    payments = _payments("c-term", 30)
    consuming = asyncio.create_task(_consume_in_batches(credits, payments, size=3))
    while not consuming.done():
        await asyncio.to_thread(postgres.terminate_backends)
        await asyncio.sleep(0.15)
    await consuming

    assert credits.sink.sent == []
    assert await credits.stored_balance("c-term") == 30_000


async def test_payments_while_statements_time_out_are_waited_for(credits, sick_store):
    _, postgres = sick_store
    payments = _payments("c-slow", 20)
    await credits.consume(*_payments("c-first", 1))  # the collections exist, to be locked

    def slow_and_impatient() -> None:
        postgres.statement_timeout("5ms")  # ends FerretDB's sessions: the new ones have the timeout
        postgres.hold_locks(credits.db.name, seconds=30)  # until healed: restore ends the locker's session

    await _while_sick(credits, slow_and_impatient, postgres.restore, payments)

    assert credits.sink.sent == []
    assert await credits.stored_balance("c-slow") == 20_000


async def test_refused_input_and_a_bug_cost_only_their_own_event_on_the_real_store(credits):
    paid, other_currency, poison = _payments("c-mixed", 3)
    other_currency["currency"] = "EUR"
    apply = credits.consumer.apply

    async def poisoned(events):
        if any(e.event_id == poison["event_id"] for e in events):
            raise ZeroDivisionError("a bug in our code")
        return await apply(events)

    credits.consumer.apply = poisoned
    await credits.consume(paid, other_currency, {**paid, "kind": "gift"}, poison)

    reasons = credits.sink.reasons()
    assert reasons[other_currency["event_id"]].startswith("rule broken:")
    assert reasons[paid["event_id"]].startswith("invalid event:")  # the copy with the unknown kind
    assert reasons[poison["event_id"]] == "could not be applied: ZeroDivisionError: a bug in our code"
    assert await credits.stored_balance("c-mixed") == 1000
    assert credits.log[-1] == "ack"
