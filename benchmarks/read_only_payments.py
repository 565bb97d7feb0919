"""Issue 14's measurement, on any checkout: PostgreSQL read-only for 4 s, then FerretDB's sessions
ended, while 20 payments arrive (4 batches of 5) at the credits consumer (its real store and
handlers, on a private FerretDB over a database of its own in the local cluster: nobody else is
touched). Prints how many were dead-lettered and the stored balance.

    .venv/bin/python benchmarks/read_only_payments.py <checkout>   # e.g. an older worktree
"""
import asyncio, importlib.util, json, sys, uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

checkout = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[1])
sys.path.insert(0, checkout)
spec = importlib.util.spec_from_file_location("pg", Path(__file__).resolve().parents[1] / "tests/support/postgres.py")
pg = importlib.util.module_from_spec(spec); spec.loader.exec_module(pg)

from pydantic import TypeAdapter
from pymongo import AsyncMongoClient
from services.credits.service_layer.handlers import CreditsHandlers
from services.credits.adapters.store import CreditsStore
from shared.contract.sales import SalesEvent
from shared.wiring.batches import batch_decoder
from shared.wiring.clock import ManualClock
import shared.wiring.batches as batches

SALES = TypeAdapter(SalesEvent)

def payment():
    return {"event_id": f"ev-{uuid.uuid4().hex}", "type": "account.transaction", "occurred_at": datetime.now(UTC).isoformat(),
            "location_id": "loc", "client_id": "c-1", "transaction_id": f"tx-{uuid.uuid4().hex[:8]}", "kind": "payment",
            "amount_minor": 1000, "currency": "USD"}

class Batch:
    def __init__(self, n0, values):
        self.raw_message = tuple(SimpleNamespace(value=json.dumps(v).encode(), offset=n0 + i, topic="studio.sales.v1",
                                                 partition=0, key=b"c-1") for i, v in enumerate(values))
        self.acked = False
    async def ack(self): self.acked = True

class DL:
    def __init__(self): self.sent = []
    async def send(self, record, error, group=None):
        from shared.wiring.dead_letter import describe
        self.sent.append(describe(error))
    async def send_raw(self, topic, value, key, headers): self.sent.append(headers["x-error"])

async def main():
    with pg.private_ferretdb(f"failmodel_before_{uuid.uuid4().hex[:6]}") as (url, postgres):
        client = AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000)
        clock = ManualClock(datetime(2026, 11, 30, tzinfo=UTC))
        async def publish(events): pass
        store = CreditsStore(client["t"], publish, clock.now)
        await store.ensure_indexes()
        try:  # the credits handlers take the location book since studio.locations.v1
            from shared.wiring.locations import LocationBook
            handlers = CreditsHandlers(store, clock, LocationBook(client["t"]["locations"]))
        except ImportError:
            handlers = CreditsHandlers(store, clock)
        dl = DL()
        if hasattr(batches, "judge_batch"):
            async def consume(batch):
                await batches.judge_batch(SALES, await batch_decoder(SALES)(batch), batch, handlers.apply_batch, dl)
        else:
            from shared.wiring.dead_letter import DeadLetters
            from shared.wiring.failures import Backoff, Outages
            consumer = batches.BatchConsumer("credits/sales", "g", SALES, handlers.apply_batch, DeadLetters(dl.send_raw),
                                             Outages(backoff=Backoff(0.05, 0.5)))
            async def consume(batch):
                await consumer(await batch_decoder(SALES)(batch), batch)
        await asyncio.to_thread(postgres.read_only)
        acked, errors = 0, []
        async def arrive():
            nonlocal acked
            for b in range(4):
                batch = Batch(b * 5, [payment() for _ in range(5)])
                try:
                    await consume(batch)
                except Exception as error:  # FastStream would swallow it; the next ack commits past
                    errors.append(type(error).__name__)
                acked += batch.acked
                print("batch", b, "done at", round(asyncio.get_running_loop().time() - t0, 2), "s, dead letters so far",
                      len(dl.sent), flush=True)
                await asyncio.sleep(0.5)
        t0 = asyncio.get_running_loop().time()
        task = asyncio.create_task(arrive())
        await asyncio.sleep(4)
        await asyncio.to_thread(postgres.restore)
        await asyncio.to_thread(postgres.terminate_backends)
        await asyncio.wait_for(task, 120)
        fresh = CreditsStore(client["t"], publish, clock.now)
        for _ in range(20):
            try:
                loaded = await fresh.aggregates.read("loc", "c-1"); break
            except Exception:
                await asyncio.sleep(0.2)
        balance = loaded.balance()["balance_minor"] if loaded else 0
        print(json.dumps({"checkout": checkout, "payments": 20, "batches_acked": acked, "raised": errors,
                          "dead_lettered": len(dl.sent), "reasons": sorted(set(r[:110] for r in dl.sent)),
                          "balance_minor": balance, "expected_minor": 20000}))
        await client.close()

asyncio.run(main())
