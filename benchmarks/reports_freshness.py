"""Reports freshness on the real servers: how long after a sale is published staff see it in the
reports, under a steady stream of sales.

    python -m benchmarks.reports_freshness [--clients 1000 --locations 10 --rate 200 --seconds 30
                                            --sample-every 20]

1. The credits and reports services start as processes on free ports, with fresh consumer groups
   positioned at the end of their topics and fresh databases. `clients` clients register; the
   run waits until the reports have applied them.
2. Sales (`account.transaction` payments and charges, for random clients) are published on
   `studio.sales.v1` at a fixed rate (open loop: on schedule whatever the services do) for
   `seconds`. Every `sample-every`-th one is a sample: its `note` is unique, and its time runs from
   the moment it is handed to the producer to the first `GET .../account/history` of its client
   that lists an entry with that note (what staff read). Reads start once the credits service's
   `account.entry_recorded` for it is on `studio.credits.v1` (the reports cannot show it before),
   then every 25 ms (every 5 % of the wait once it is long), so the polling does not load the service
   it measures; the credits part (publish to that entry) is reported too, and how many records reached `studio.credits.v1`
   meanwhile (the reports apply all of them: ours, and any other run's on the same broker).
Prints p50/p99/max and writes benchmarks/results/reports_freshness.json.
"""

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaProducer, TopicPartition

from benchmarks import harness
from services.credits.entrypoints.subscribers import SUBSCRIPTIONS as CREDITS_SUBSCRIPTIONS
from services.reports.entrypoints.subscribers import SUBSCRIPTIONS as REPORTS_SUBSCRIPTIONS
from shared.contract.topics import CLIENTS, CREDITS, SALES
from shared.wiring.auth import mint_token

SECRET = "bench-secret-bench-secret-bench-secret"
POLL_SECONDS = 0.025
POLL_RESOLUTION = 0.05  # a sample waiting long is polled every 5 % of its wait, not every 25 ms


def poll_pause(waited: float) -> float:
    """Polling every 25 ms whatever the wait would turn a backlog into hundreds of reads per second
    on the very service being measured (each waiting sample polls), deepening the backlog."""
    return max(POLL_SECONDS, POLL_RESOLUTION * waited)
VISIBLE_TIMEOUT = 120.0


class Entries(harness.TopicFollower):
    """Follows `studio.credits.v1` from given offsets: when each sampled note became a ledger entry."""

    def __init__(self, start: dict[TopicPartition, int]) -> None:
        super().__init__(start)
        self.waiting = {}

    def expect(self, note: str) -> asyncio.Future:
        self.waiting[note] = asyncio.get_running_loop().create_future()
        return self.waiting[note]

    def take(self, record, now: float) -> None:
        event = json.loads(record.value)
        waiting = self.waiting.get(event.get("note") or "")
        if event.get("type") == "account.entry_recorded" and waiting and not waiting.done():
            waiting.set_result(now)


def sale(location: str, client: str, note: str) -> dict:
    amount = random.choice([1, -1]) * random.randint(100, 5000)
    return {"event_id": uuid.uuid4().hex, "type": "account.transaction", "occurred_at": datetime.now(UTC).isoformat(),
            "location_id": location, "client_id": client, "transaction_id": f"tx-{uuid.uuid4().hex[:16]}",
            "kind": "payment" if amount > 0 else "charge", "amount_minor": amount, "currency": "USD", "note": note}


def registration(location: str, client: str, n: int) -> dict:
    return {"event_id": uuid.uuid4().hex, "type": "client.registered", "occurred_at": datetime.now(UTC).isoformat(),
            "location_id": location, "client_id": client, "first_name": f"First{n}", "last_name": f"Last{n}",
            "email": f"{client}@example.com", "phone": None, "join_date": "2026-01-15", "email_opt_out": False}


async def position_groups(run: str) -> None:
    """Fresh groups that read none of the topics' history."""
    groups = {f"bench{run}.credits.{s}": t for s, t in CREDITS_SUBSCRIPTIONS.items()}
    groups |= {f"bench{run}.reports.{s}": t for s, t in REPORTS_SUBSCRIPTIONS.items()}
    ends = await harness.end_offsets(sorted(set(groups.values())))
    for group, topic in groups.items():
        await harness.commit_at(group, {tp: o for tp, o in ends.items() if tp.topic == topic})


def start_services(run: str, ports: dict[str, int]) -> dict:
    env = {"CONSUMER_GROUP_PREFIX": f"bench{run}.", "DATABASE_PREFIX": f"bench{run}", "STAFF_JWT_SECRET": SECRET}
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    return {name: harness.start_service(name, port, env, harness.RESULTS / f"{name}-{run}.log")
            for name, port in ports.items()}


async def register(run: str, clients: list[tuple[str, str]]) -> None:
    await harness.publish_all([(CLIENTS.name, registration(loc, c, n)) for n, (loc, c) in enumerate(clients)])
    await harness.wait_caught_up({f"bench{run}.reports.clients": [CLIENTS.name]},
                                 await harness.end_offsets([CLIENTS.name]), timeout=600)


async def stream(run: str, port: int, clients: list[tuple[str, str]], rate: float, seconds: float,
                 sample_every: int) -> dict:
    token = mint_token(SECRET, "bench", "reporting", ["*"], ttl_seconds=3600)
    producer = AIOKafkaProducer(bootstrap_servers=harness.KAFKA, acks="all", linger_ms=5)
    samples: list[tuple[float, float]] = []  # (publish -> credits entry, publish -> visible in reports)
    missing = 0
    await producer.start()
    credits_start = await harness.end_offsets([CREDITS.name])
    async with Entries(credits_start) as entries, httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:

        async def follow(location: str, client: str, note: str, sent: float, recorded: asyncio.Future) -> None:
            nonlocal missing
            try:
                entered = await asyncio.wait_for(recorded, VISIBLE_TIMEOUT)
                path = f"/v1/locations/{location}/clients/{client}/account/history"
                while time.perf_counter() - sent < VISIBLE_TIMEOUT:
                    items = (await http.get(path, params={"limit": 50})).json()["items"]
                    if any(item["note"] == note for item in items):
                        samples.append((entered - sent, time.perf_counter() - sent))
                        return
                    await asyncio.sleep(poll_pause(time.perf_counter() - entered))
            except TimeoutError:
                pass
            missing += 1

        total, tasks, began = int(rate * seconds), [], time.perf_counter()
        for n in range(total):
            delay = began + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            location, client = random.choice(clients)
            note = f"{run}-{n}"
            recorded = entries.expect(note) if n % sample_every == 0 else None
            sent = time.perf_counter()
            await producer.send(SALES.name, json.dumps(sale(location, client, note)).encode(), key=client.encode())
            if recorded is not None:
                tasks.append(asyncio.create_task(follow(location, client, note, sent, recorded)))
        sent_seconds = time.perf_counter() - began
        await producer.flush()
        await asyncio.gather(*tasks)
    await producer.stop()
    credits_end = await harness.end_offsets([CREDITS.name])
    # Every record on the topic is the reports' work, ours or another run's on the same broker.
    on_topic = sum(credits_end[tp] - credits_start.get(tp, 0) for tp in credits_end)
    return summary(total, sent_seconds, samples, missing) | {"credits_topic_records_meanwhile": on_topic}


def summary(total: int, sent_seconds: float, samples: list[tuple[float, float]], missing: int) -> dict:
    visible = sorted(v for _, v in samples)
    credits_part = sorted(c for c, _ in samples)
    result = {"events": total, "offered_rate_per_s": round(total / sent_seconds, 1), "samples": len(samples) + missing,
              "not_visible_within_s": {str(VISIBLE_TIMEOUT): missing}}
    if visible:
        result |= {"publish_to_visible_p50_ms": ms(statistics.median(visible)), "publish_to_visible_p99_ms": ms(p99(visible)),
                   "publish_to_visible_max_ms": ms(visible[-1]),
                   "publish_to_credits_entry_p50_ms": ms(statistics.median(credits_part)),
                   "publish_to_credits_entry_p99_ms": ms(p99(credits_part)),
                   "visible_within_1s": round(sum(1 for v in visible if v <= 1.0) / (len(visible) + missing), 3)}
    return result


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def p99(sorted_values: list[float]) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * 0.99))]


async def main(clients: int, locations: int, rate: float, seconds: float, sample_every: int) -> dict:
    await harness.prepare_topics()
    run = harness.run_id()
    people = [(f"loc-{n % locations:02d}", f"fresh-{run}-{n}") for n in range(clients)]
    ports = {"credits": harness.free_port(), "reports": harness.free_port()}
    await position_groups(run)
    processes = start_services(run, ports)
    try:
        await register(run, people)
        result = await stream(run, ports["reports"], people, rate, seconds, sample_every)
        result |= {f"{name}_peak_rss_mb": round(harness.peak_rss_mb(p.pid), 1) for name, p in processes.items()}
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(30)
        await harness.drop_databases(run, ("credits", "reports"))
    result = {"clients": clients, "locations": locations, "rate_per_s": rate, "seconds": seconds,
              "sample_every": sample_every, **result, "targets": {"publish_to_visible_p99_ms": "< 1000"}}
    print(json.dumps(result, indent=2))
    print(f"wrote {harness.save('reports_freshness', result)}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1_000)
    parser.add_argument("--locations", type=int, default=10)
    parser.add_argument("--rate", type=float, default=200.0, help="sales published per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to keep that rate")
    parser.add_argument("--sample-every", type=int, default=20, help="measure one sale in this many")
    args = parser.parse_args()
    asyncio.run(main(args.clients, args.locations, args.rate, args.seconds, args.sample_every))
