"""What the one failure model costs a healthy batch, in process: a batch of 500 payments through
`BatchConsumer` against the same batch handed straight to the handler and committed (the shape
the non-gatekeepers had before), both with a handler that does no I/O. The round trips are the
same by construction (one apply, one commit); this measures the Python around them.

    python -m benchmarks.consumer_overhead [--batches 200]
"""

import argparse
import asyncio
import json
import time
import uuid
from types import SimpleNamespace

from pydantic import TypeAdapter

from shared.contract.sales import SalesEvent
from shared.wiring.batches import BatchConsumer, batch_decoder
from shared.wiring.dead_letter import DeadLetters
from shared.wiring.failures import Outages

SALES = TypeAdapter(SalesEvent)


class Batch:
    def __init__(self, records) -> None:
        self.raw_message = records

    async def ack(self) -> None:
        return None


def _records(n: int) -> tuple:
    return tuple(SimpleNamespace(topic="studio.sales.v1", partition=0, offset=i, key=b"c", value=json.dumps({
        "event_id": f"ev-{uuid.uuid4().hex}", "type": "account.transaction", "occurred_at": "2026-11-30T10:00:00Z",
        "location_id": "loc", "client_id": f"c-{i % 50}", "transaction_id": f"tx-{i}", "kind": "payment",
        "amount_minor": 1000, "currency": "USD"}).encode()) for i in range(n))


async def _apply(events: list) -> list:
    return []


async def main(batches: int) -> None:
    batch = Batch(_records(500))
    events = await batch_decoder(SALES)(batch)
    consumer = BatchConsumer("credits/sales", "g", SALES, _apply, DeadLetters(None), Outages())

    async def bare() -> None:
        await _apply([e for e in events if e is not None])
        await batch.ack()

    timings = {}
    for name, step in (("bare apply and commit", bare), ("BatchConsumer", lambda: consumer(events, batch))):
        started = time.perf_counter()
        for _ in range(batches):
            await step()
        timings[name] = (time.perf_counter() - started) / batches * 1e6
    for name, micros in timings.items():
        print(f"{name}: {micros:.0f} µs per batch of 500 ({micros / 500:.2f} µs per event)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=200)
    asyncio.run(main(parser.parse_args().batches))
