"""Talking to the real Kafka as another platform service would: plain aiokafka, JSON bytes."""

import asyncio
import json
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


class Platform:
    """Publishes raw messages to the inbound topics, keyed by client_id."""

    def __init__(self, bootstrap: str) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, topic: str, event: dict | bytes, key: str | None = None) -> None:
        value = event if isinstance(event, bytes) else json.dumps(event).encode()
        client_key = key or (event.get("client_id") if isinstance(event, dict) else None) or "unknown"
        await self._producer.send_and_wait(topic, value, key=client_key.encode())


SESSION_START: dict[str, dict[int, int]] = {}  # topic -> partition -> its end offset when the session began


async def mark_session_start(bootstrap: str) -> None:
    """Remember where every topic ended when the test session began: `read_topic` reads from there,
    so a broker that kept earlier runs' records (hundreds of thousands after benchmarks) does not
    make a reader time out before it reaches this run's."""
    from aiokafka import TopicPartition

    from shared.contract.topics import every_topic_name

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(t, p) for t, n in every_topic_name() for p in range(n)])
    finally:
        await consumer.stop()
    for tp, offset in ends.items():
        SESSION_START.setdefault(tp.topic, {})[tp.partition] = offset


async def read_topic(bootstrap: str, topic: str, match, timeout: float = 20.0) -> list:
    """Records of `topic` (since the session began, else from the start) for which `match(record)`
    holds, once at least one does."""
    from aiokafka import TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    if topic in SESSION_START:
        consumer.assign([TopicPartition(topic, p) for p in SESSION_START[topic]])
        for partition, offset in SESSION_START[topic].items():
            consumer.seek(TopicPartition(topic, partition), offset)
    else:
        consumer.subscribe([topic])
    found, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            found += [r for records in batch.values() for r in records if match(r)]
            if found and not batch:
                return found
        return found
    finally:
        await consumer.stop()


async def eventually(probe, timeout: float = 20.0, interval: float = 0.2):
    """Await `probe()` until it returns something truthy; return it (or the last value)."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = await probe()
        if value:
            return value
        await asyncio.sleep(interval)
    return value


async def group_offsets(bootstrap: str, groups: dict[str, str]) -> dict[str, dict]:
    """{group: {partition: committed offset}} for each group's topic."""
    from aiokafka import TopicPartition

    from shared.contract.topics import every_topic_name

    partitions = dict(every_topic_name())
    found = {}
    for group, topic in groups.items():
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            found[group] = {p: (await consumer.committed(TopicPartition(topic, p))) or 0
                            for p in range(partitions[topic])}
        finally:
            await consumer.stop()
    return found


async def end_offsets_of(bootstrap: str, topic: str) -> dict[int, int]:
    from aiokafka import TopicPartition

    from shared.contract.topics import every_topic_name

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(dict(every_topic_name())[topic])])
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


async def rewind_groups(bootstrap: str, groups: dict[str, str], offsets: dict[str, dict]) -> None:
    """Commit the given {group: {partition: offset}} (the group must have no live member)."""
    from aiokafka import TopicPartition

    for group, topic in groups.items():
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            wanted = {TopicPartition(topic, p): o for p, o in offsets[group].items()}
            consumer.assign(list(wanted))
            await consumer.commit(wanted)
        finally:
            await consumer.stop()


async def fast_forward_groups(bootstrap: str, groups: dict[str, str]) -> None:
    """Commit each new consumer group at the current end of its topic.

    The services start new groups at `earliest`, as they must; a test run gets groups of its
    own, and without this they would first replay every earlier local run's events.
    """
    from aiokafka import TopicPartition

    from shared.contract.topics import every_topic_name

    PARTITIONS = dict(every_topic_name())

    for group, topic in groups.items():
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [TopicPartition(topic, p) for p in range(PARTITIONS[topic])]
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.commit({tp: offset for tp, offset in ends.items()})
        finally:
            await consumer.stop()
