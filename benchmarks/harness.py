"""What every benchmark needs: real servers, isolated groups and databases, a service process."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from shared.contract.topics import every_topic_name
from shared.wiring.kafka import create_topics

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
MONGODB = os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27017")
PARTITIONS = dict(every_topic_name())


def run_id() -> str:
    return uuid.uuid4().hex[:8]


async def end_offsets(topics: list[str]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA)
    await consumer.start()
    try:
        return await consumer.end_offsets([TopicPartition(t, p) for t in topics for p in range(PARTITIONS[t])])
    finally:
        await consumer.stop()


async def commit_at(group: str, offsets: dict[TopicPartition, int]) -> None:
    """Where a fresh group starts; with no offsets (a topic the benchmark does not feed, such as
    the locations) it starts at the topic's beginning, as a service's new group does."""
    if not offsets:
        return
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)
    finally:
        await consumer.stop()


async def committed(group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        return {tp: (await consumer.committed(tp)) or 0 for tp in partitions}
    finally:
        await consumer.stop()


async def wait_caught_up(groups: dict[str, list[str]], targets: dict[TopicPartition, int], timeout: float) -> float:
    """Seconds until every group has committed up to `targets` on its topics ({group: [topic]})."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if all([await _caught_up(group, topics, targets) for group, topics in groups.items()]):
            return time.perf_counter() - start
        await asyncio.sleep(0.25)
    raise TimeoutError(f"groups {list(groups)} did not catch up in {timeout}s")


async def _caught_up(group: str, topics: list[str], targets: dict[TopicPartition, int]) -> bool:
    mine = {tp: offset for tp, offset in targets.items() if tp.topic in topics}
    got = await committed(group, list(mine))
    return all(got[tp] >= offset for tp, offset in mine.items())


async def publish_all(events: list[tuple[str, dict]]) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, acks="all", linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    start = time.perf_counter()
    try:
        for topic, event in events:
            await producer.send(topic, json.dumps(event).encode(), key=event["client_id"].encode())
        await producer.flush()
    finally:
        await producer.stop()
    return time.perf_counter() - start


def start_service(name: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    full = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": KAFKA, "MONGODB_URL": MONGODB, "PORT": str(port),
            "STAFF_JWT_SECRET": "bench-secret-bench-secret-bench-secret", "LOG_LEVEL": "WARNING", **env}
    process = subprocess.Popen([sys.executable, "-m", f"services.{name}"], cwd=ROOT, env=full,
                               stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:  # e.g. the port was taken: never measure someone else's process
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{name} did not start; see {log}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def save(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2))
    return path


async def prepare_topics() -> None:
    await create_topics(KAFKA)


class TopicFollower:
    """Reads topics from given offsets in the background while a benchmark runs; a subclass
    takes each record with the moment its batch arrived (`time.perf_counter()`)."""

    poll_ms, max_records = 100, 1000

    def __init__(self, start: dict[TopicPartition, int]) -> None:
        self.start = start

    async def __aenter__(self):
        self._consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, enable_auto_commit=False)
        await self._consumer.start()
        self._consumer.assign(list(self.start))
        for tp, offset in self.start.items():
            self._consumer.seek(tp, offset)
        self._task = asyncio.create_task(self._follow())
        return self

    async def __aexit__(self, *_) -> None:
        self._task.cancel()
        await self._consumer.stop()

    async def _follow(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=self.poll_ms, max_records=self.max_records)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    self.take(record, now)

    def take(self, record, now: float) -> None:
        raise NotImplementedError


async def drop_databases(run: str, services) -> None:
    """Drop the databases a benchmark run's services made (`bench<run>_<service>`)."""
    mongo = AsyncMongoClient(MONGODB)
    for name in services:
        await mongo.drop_database(f"bench{run}_{name}")
    await mongo.close()


def store_commands(port: int) -> dict[str, dict[str, float]]:
    """A service's database commands so far, {origin: {"command collection": count}} (its
    `store_collection_commands_total`; origin `api` while serving HTTP requests, else `events`)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    counts: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if family.name == "store_collection_commands" and sample.name.endswith("_total"):
                labels = sample.labels
                counts.setdefault(labels["origin"], {})[f'{labels["command"]} {labels["collection"]}'] = sample.value
    return counts


def by_command(counts: dict[str, float]) -> dict[str, float]:
    """{"command collection": count} summed by command."""
    summed: dict[str, float] = {}
    for key, count in counts.items():
        command = key.split(" ", 1)[0]
        summed[command] = summed.get(command, 0) + count
    return summed


def round_trips_per_event(before: dict[str, dict], after: dict[str, dict], events: int) -> dict:
    """{service: {command: commands per event}} between two `store_commands` readings of each service."""
    return {service: {command: round((count - before[service].get(command, 0)) / max(events, 1), 3)
                      for command, count in sorted(after[service].items())
                      if count > before[service].get(command, 0)}
            for service in after}
