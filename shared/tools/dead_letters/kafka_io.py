"""Reading a dead-letter topic whole and publishing re-drives, with plain aiokafka."""

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.tools.dead_letters.letters import DeadLetter, from_record, redriven_headers


async def dead_letter_topics(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return sorted(t for t in await admin.list_topics() if t.endswith(".dlq"))
    finally:
        await admin.close()


async def partitions_of(bootstrap: str, topic: str) -> list[int]:
    """From the cluster's metadata (a consumer knows only the partitions of what it subscribed to)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
        return sorted(p["partition"] for p in described["partitions"])
    finally:
        await admin.close()


async def read_all(bootstrap: str, topic: str, partition: int | None = None,
                   from_offset: int | None = None, to_offset: int | None = None) -> list[DeadLetter]:
    """Every record of `topic` (or one partition) up to its end when the read began, or within
    [from_offset, to_offset]. No consumer group: reading commits nothing and never disturbs a service."""
    partitions = [TopicPartition(topic, p) for p in await partitions_of(bootstrap, topic)
                  if partition is None or p == partition]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        return await _read(consumer, partitions, from_offset, to_offset)
    finally:
        await consumer.stop()


async def _read(consumer: AIOKafkaConsumer, partitions: list[TopicPartition], from_offset: int | None,
                to_offset: int | None) -> list:
    if not partitions:
        return []
    consumer.assign(partitions)
    ends = {tp: end if to_offset is None else min(end, to_offset + 1)
            for tp, end in (await consumer.end_offsets(partitions)).items()}
    starts = await consumer.beginning_offsets(partitions)
    for tp in partitions:
        consumer.seek(tp, max(starts[tp], from_offset or 0))
    letters, pending = [], {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
    while pending:
        batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=5000)
        for tp, records in batch.items():
            letters += [from_record(r) for r in records if r.offset < ends[tp]]
            if records and records[-1].offset >= ends[tp] - 1:
                pending.discard(tp)
        pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    return sorted(letters, key=lambda letter: (letter.partition, letter.offset))


async def redrive(bootstrap: str, letters: list[DeadLetter], progress: Callable[[int], None]) -> None:
    """Publish each letter's value with its key to its original topic, marked as re-driven; waits
    until the broker has every one (acks=all)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for start in range(0, len(letters), 500):
            chunk = letters[start:start + 500]
            sent = [await producer.send(letter.original_topic, letter.value, key=letter.key,
                                        headers=[(k, v.encode()) for k, v in redriven_headers(letter).items()])
                    for letter in chunk]
            await asyncio.gather(*sent)
            progress(len(chunk))
    finally:
        await producer.stop()
