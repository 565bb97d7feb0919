"""Credits throughput on the real servers, against a raw baseline, in one run.

    python -m benchmarks.credits_throughput [--clients 10000 --locations 20 --events 100000]

1. Publishes a realistic mix for the clients to the inbound topics (a backlog).
2. Raw baseline: plain aiokafka drains the sales and lifecycle backlog, writing one idempotent
   upsert per message with PyMongo bulk writes to the same store, committing per batch.
3. The credits service (a real process) drains the same backlog from the same offsets
   (it runs first; the order does not matter, each starts from the same offsets).
Prints events/s for both, the ratio, and the service's peak resident memory; writes
benchmarks/results/credits_throughput.json.
"""

import argparse
import asyncio
import json
import time

from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.errors import AutoReconnect, NetworkTimeout

from benchmarks import harness
from benchmarks.workload import workload
from services.credits.entrypoints.subscribers import SUBSCRIPTIONS
from shared.contract.topics import BOOKINGS, LIFECYCLE, SALES

# Credits reads bookings from the lifecycle topic: the workload's bookings are legal moves, so
# they go there directly, as the bookings service would have passed them on.
TOPICS = [SALES.name, LIFECYCLE.name]


async def raw_baseline(start: dict, end: dict, database: str) -> float:
    """Seconds for plain aiokafka + bulk upserts to drain the backlog."""
    consumer = AIOKafkaConsumer(bootstrap_servers=harness.KAFKA, enable_auto_commit=False,
                                group_id=f"{database}.raw", max_poll_records=500)
    mongo = AsyncMongoClient(harness.MONGODB, socketTimeoutMS=60_000)
    rows = mongo[database]["events"]
    await consumer.start()
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        began, remaining = time.perf_counter(), sum(end[tp] - start[tp] for tp in end)
        while remaining > 0:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            # Other producers may append past the backlog: stop each partition at its end.
            records = [r for tp, rs in batch.items() for r in rs if r.offset < end[tp]]
            upserts = [u for u in (_upsert(r.value) for r in records) if u is not None]
            for chunk in range(0, len(upserts), RAW_CHUNK):
                await _bulk_write(rows, upserts[chunk:chunk + RAW_CHUNK])
            if records:
                await consumer.commit()
                remaining -= len(records)
        return time.perf_counter() - began
    finally:
        await consumer.stop()
        await mongo.drop_database(database)
        await mongo.close()


RAW_CHUNK = 100


async def _bulk_write(rows, upserts: list[UpdateOne]) -> None:
    """FerretDB v1 sometimes never answers an unordered bulk write of 500 upserts (seen twice, and
    the connection then hangs for good): ordered chunks of 100, and once more if no answer came in
    a minute (upserts of the same documents are idempotent)."""
    try:
        await rows.bulk_write(upserts, ordered=True)
    except (NetworkTimeout, AutoReconnect):
        await rows.bulk_write(upserts, ordered=True)


def _upsert(value: bytes) -> UpdateOne | None:
    try:
        event = json.loads(value)
    except ValueError:
        return None  # not ours: a consumer skips (dead-letters) what is not JSON
    return UpdateOne({"_id": event["event_id"]}, {"$set": event}, upsert=True)


async def credits_service(start: dict, end: dict, run: str) -> tuple[float, float]:
    """Seconds for the credits service to drain the backlog, and its peak RSS in MB."""
    prefix = f"bench{run}."
    groups = {f"{prefix}credits.{suffix}": [topic] for suffix, topic in SUBSCRIPTIONS.items()}
    for group, topics in groups.items():
        await harness.commit_at(group, {tp: o for tp, o in start.items() if tp.topic in topics})
    log = harness.RESULTS / f"credits-{run}.log"
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    process = harness.start_service("credits", 18102, {"CONSUMER_GROUP_PREFIX": prefix, "DATABASE_PREFIX": f"bench{run}"}, log)
    try:
        seconds = await harness.wait_caught_up(groups, end, timeout=3600)
        return seconds, harness.peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(30)
        mongo = AsyncMongoClient(harness.MONGODB)
        await mongo.drop_database(f"bench{run}_credits")
        await mongo.close()


async def main(clients: int, locations: int, events: int) -> dict:
    await harness.prepare_topics()
    run = harness.run_id()
    mix = [(LIFECYCLE.name if t == BOOKINGS.name else t, e) for t, e in workload(clients, locations, events)]
    mix = [(t, e) for t, e in mix if t in TOPICS]
    start = await harness.end_offsets(TOPICS)
    publish_seconds = await harness.publish_all(mix)
    end = await harness.end_offsets(TOPICS)
    count = sum(end[tp] - start[tp] for tp in end)
    service_seconds, rss = await credits_service(start, end, run)
    print(f"credits: {count / service_seconds:.0f} events/s, peak RSS {rss:.1f} MB", flush=True)
    raw_seconds = await raw_baseline(start, end, f"bench{run}_raw")
    result = {
        "events": count, "clients": clients, "locations": locations,
        "publish_events_per_s": round(count / publish_seconds),
        "raw_events_per_s": round(count / raw_seconds),
        "credits_events_per_s": round(count / service_seconds),
        "ratio": round(raw_seconds / service_seconds, 3),
        "credits_peak_rss_mb": round(rss, 1),
        "targets": {"ratio": ">= 0.5", "credits_peak_rss_mb": "< 300"},
    }
    print(json.dumps(result, indent=2))
    print(f"wrote {harness.save('credits_throughput', result)}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--locations", type=int, default=20)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(main(args.clients, args.locations, args.events))
