"""Notifier fan-out through a real SMTP server, and audience upkeep under a stream of balances.

    python -m benchmarks.notifier_fanout [--audience 50000 --upkeep-events 5000 --rate 1000]

1. Loads `audience` members who owe the studio (the documents the notifier's projection keeps,
   in bulk), starts the notifier against an aiosmtpd server in this process, schedules a
   newsletter to `owing-balance` and measures messages/s and the time from `send_at` to the
   last delivery (counted at the SMTP server).
2. Publishes `account.entry_recorded` events at `rate`/s that pay members' debts off, and
   measures the time from each event to its `audience.left` on `studio.notifier.v1`.
Writes benchmarks/results/notifier_fanout.json.
"""

import argparse
import asyncio
import json
import socket
import statistics
import time
import uuid
from datetime import UTC, datetime
from email import message_from_bytes

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiosmtpd.controller import Controller
from pymongo import AsyncMongoClient

from benchmarks import harness
from services.notifier.entrypoints.subscribers import SUBSCRIPTIONS
from shared.aggregates.versions import version_id
from shared.contract.topics import CREDITS, NOTIFIER
from shared.wiring.auth import mint_token

SECRET = "bench-secret-bench-secret-bench-secret"
PORT = 18144  # away from the other benchmarks' services (1810x)


class Counter:
    """Deliveries at the SMTP server, by message id: a second delivery of one id is a duplicate.
    The notifier also follows the shared topics, so clients other helpers publish while the run
    lasts may join the audience: deliveries to addresses that are not the run's own are counted apart."""

    def __init__(self, own: set[str] = frozenset()) -> None:
        self.count, self.last_at, self.own = 0, 0.0, own
        self.ids: dict[str, int] = {}
        self.others = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.last_at = time.perf_counter()
        message_id = message_from_bytes(envelope.content).get("X-Studio-Message-Id", "")
        self.ids[message_id] = self.ids.get(message_id, 0) + 1
        self.others += not set(envelope.rcpt_tos) & self.own
        return "250 OK"

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.ids.values())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def member(n: int) -> dict:
    location, client = f"loc-{n % 20:02d}", f"c{n:07d}"
    return {"_id": f"{location}|{client}", "location_id": location, "client_id": client,
            "profile": {"first_name": "Sam", "last_name": f"N{n}", "email": f"{client}@example.com",
                        "email_opt_out": False},
            "balance_minor": -2500, "currency": "USD", "sequence": 1, "packages": [],
            "audiences": {"owing-balance": {"in": True, "entry": 1, "since": datetime.now(UTC)}}}


def first_version(n: int) -> dict:
    state = member(n)
    return {"_id": version_id(state["_id"], 1), "key": state["_id"], "version": 1, "state": state, "events": [],
            "published": True, "batch": "", "written_at": datetime.now(UTC)}


async def load_members(db, count: int) -> None:
    """As the notifier stores them: the first version of each member in its version log
    (shared.aggregates.recorder)."""
    for start in range(0, count, 5000):
        await db["member_versions"].insert_many([first_version(n) for n in range(start, min(count, start + 5000))],
                                                ordered=False)


async def newsletter(http: httpx.AsyncClient, inbox: Counter, count: int, timeout: float) -> dict:
    template = await http.post("/v1/templates", json={"name": "Reminder", "subject": "Your balance",
                                                      "body": "Hi {{first_name}}, you owe {{balance}}."})
    template.raise_for_status()
    send_at = datetime.now(UTC)
    began = time.perf_counter()
    response = await http.post("/v1/newsletters", json={"audience_id": "owing-balance",
                                                         "template_id": template.json()["template_id"],
                                                         "send_at": send_at.isoformat()})
    response.raise_for_status()
    while inbox.count < count and time.perf_counter() - began < timeout:
        await asyncio.sleep(0.2)
    seconds = inbox.last_at - began
    await asyncio.sleep(2)  # what was still in flight when the count was reached
    return {"audience": count, "delivered": inbox.count, "distinct_messages": len(inbox.ids),
            "duplicates": inbox.duplicates, "to_clients_outside_the_run": inbox.others,
            "messages_per_s": round(inbox.count / seconds, 1), "send_at_to_last_delivery_s": round(seconds, 1)}


async def upkeep(count: int, rate: int, timeout: float) -> dict:
    """Pay `count` members' debts off at `rate`/s; latency from each event to its audience.left."""
    producer = AIOKafkaProducer(bootstrap_servers=harness.KAFKA, linger_ms=2)
    await producer.start()
    consumer = AIOKafkaConsumer(NOTIFIER.name, bootstrap_servers=harness.KAFKA, auto_offset_reset="latest")
    await consumer.start()
    sent: dict[str, float] = {}
    left: dict[str, float] = {}
    reader = asyncio.create_task(_collect_left(consumer, left))
    try:
        began = time.perf_counter()
        for n in range(count):
            event = _paid_off(n)
            sent[event["client_id"]] = time.time()
            await producer.send(CREDITS.name, json.dumps(event).encode(), key=event["client_id"].encode())
            await asyncio.sleep(max(0.0, began + (n + 1) / rate - time.perf_counter()))
        await producer.flush()
        deadline = time.perf_counter() + timeout
        while len(left) < count and time.perf_counter() < deadline:
            await asyncio.sleep(0.5)
    finally:
        reader.cancel()
        await consumer.stop()
        await producer.stop()
    latencies = sorted(left[c] - sent[c] for c in left if c in sent)
    return {"events": count, "rate_per_s": rate, "audience_changes_seen": len(latencies),
            "p50_s": round(statistics.median(latencies), 3) if latencies else None,
            "p99_s": round(latencies[int(len(latencies) * 0.99) - 1], 3) if latencies else None}


async def _collect_left(consumer: AIOKafkaConsumer, left: dict) -> None:
    async for record in consumer:
        event = json.loads(record.value)
        if event.get("type") == "audience.left":
            left.setdefault(event["client_id"], record.timestamp / 1000)


def _paid_off(n: int) -> dict:
    location, client = f"loc-{n % 20:02d}", f"c{n:07d}"
    now = datetime.now(UTC).isoformat()
    return {"event_id": uuid.uuid4().hex, "type": "account.entry_recorded", "occurred_at": now,
            "location_id": location, "client_id": client, "entry_id": f"e-{client}-2", "sequence": 2,
            "entry_type": "Payment", "amount_minor": 2500, "balance_after_minor": 0, "credit_balance_minor": 0,
            "currency": "USD", "note": None, "actor": None, "at": now}


async def main(audience: int, upkeep_events: int, rate: int) -> dict:
    await harness.prepare_topics()
    run = harness.run_id()
    prefix = f"bench{run}."
    ends = await harness.end_offsets(list(SUBSCRIPTIONS.values()))
    for suffix, topic in SUBSCRIPTIONS.items():
        await harness.commit_at(f"{prefix}notifier.{suffix}", {tp: o for tp, o in ends.items() if tp.topic == topic})
    mongo = AsyncMongoClient(harness.MONGODB, tz_aware=True)
    db = mongo[f"bench{run}_notifier"]
    await load_members(db, audience)
    inbox = Counter({member(n)["profile"]["email"] for n in range(audience)})
    smtp_port = _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {"DATABASE_PREFIX": f"bench{run}", "CONSUMER_GROUP_PREFIX": prefix, "STAFF_JWT_SECRET": SECRET,
           "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "SWEEP_SECONDS": "0.5"}
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    process = harness.start_service("notifier", PORT, env, harness.RESULTS / f"notifier-{run}.log")
    headers = {"Authorization": f"Bearer {mint_token(SECRET, 'bench', 'admin', ['*'])}"}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=120) as http:
            fanout = await newsletter(http, inbox, audience, timeout=3600)
        print("newsletter", fanout, flush=True)
        kept = await upkeep(min(upkeep_events, audience), rate, timeout=600)
        print("upkeep", kept, flush=True)
        rss = harness.peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(30)
        smtp.stop()
        await mongo.drop_database(f"bench{run}_notifier")
        await mongo.close()
    result = {"newsletter": fanout, "audience_upkeep": kept, "notifier_peak_rss_mb": round(rss, 1)}
    print(json.dumps(result, indent=2))
    print(f"wrote {harness.save('notifier_fanout', result)}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audience", type=int, default=50_000)
    parser.add_argument("--upkeep-events", type=int, default=5_000)
    parser.add_argument("--rate", type=int, default=1_000)
    args = parser.parse_args()
    asyncio.run(main(args.audience, args.upkeep_events, args.rate))
