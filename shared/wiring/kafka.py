"""Kafka wiring: the broker, topics created with explicit partition counts, at-least-once inbound
subscribers (their failure model: shared.wiring.batches), and publishing keyed by client_id."""

import asyncio
import json
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaRouter
from pydantic import BaseModel

from shared.contract.topics import every_topic_name
from shared.wiring.batches import batch_decoder
from shared.wiring.decoding import decode_json
from shared.wiring.failures import Outages, never_give_up_middleware
from shared.wiring.logging import get_logger

log = get_logger(__name__)


def build_broker(bootstrap_servers: str) -> KafkaBroker:
    # acks=all with a single-node broker costs nothing and is right for a real cluster.
    return KafkaBroker(bootstrap_servers, acks="all", linger_ms=2, logger=None)


async def create_topics(bootstrap_servers: str, topics: Iterable[tuple[str, int]] | None = None,
                        wait_seconds: float = 120.0) -> None:
    """Create every topic the platform uses; existing ones are left as they are.

    A service may start while the broker is restarting: it waits for it (up to `wait_seconds`)
    rather than exiting, so a restart of the broker and of a service at once heals by itself.
    """
    deadline, pause = asyncio.get_running_loop().time() + wait_seconds, 0.5
    while True:
        try:
            await _create_topics(bootstrap_servers, topics)
            return
        except KafkaConnectionError:
            if asyncio.get_running_loop().time() + pause > deadline:
                raise
            log.warning("waiting for Kafka", bootstrap_servers=bootstrap_servers, retry_in_s=pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)


async def _create_topics(bootstrap_servers: str, topics: Iterable[tuple[str, int]] | None) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        wanted = [NewTopic(n, p, 1) for n, p in (topics or every_topic_name()) if n not in existing]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass  # another service created them between our list and create
            log.info("topics created", topics=[t.name for t in wanted])
    finally:
        await admin.close()


def raw_sender(broker: KafkaBroker):
    """Sends dead letters: `send_raw(topic, value, key, headers)`, waiting for the broker's ack."""

    async def send_raw(topic: str, value: bytes, key: bytes | None, headers: dict[str, str]) -> None:
        await broker.publish(value, topic, key=key, headers=headers)

    return send_raw


def inbound_router(outages: Outages) -> KafkaRouter:
    """A router whose handlers never give up on a batch (see shared.wiring.failures)."""
    return KafkaRouter(middlewares=[never_give_up_middleware(outages)])


def consumer_options(group_id: str) -> dict:
    """Subscriber options every inbound subscriber uses.

    MANUAL acks: the handler commits only once its effect is stored (at-least-once; the default
    would auto-commit first, at-most-once). `earliest`: a new group reads what was published
    before it first joined.
    """
    return {
        "group_id": group_id,
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.MANUAL,
        "decoder": strict_json,
    }


LINGER_BYTES = 64 * 1024  # what a lingering subscriber's fetch waits for (about a hundred events)


def batch_consumer_options(group_id: str, adapter, max_records: int = 500, linger_ms: int | None = None) -> dict:
    """Like consumer_options, for a subscriber handed up to `max_records` decoded records at once.

    `linger_ms`: the broker holds each fetch until LINGER_BYTES are there or that long has
    passed, so at a low rate a batch gathers what came in meanwhile instead of a few records: a
    batch's store round trips are shared by more events, and each waits up to `linger_ms` more.
    For subscribers nobody waits on in real time (the notifier's)."""
    lingering = {"fetch_min_bytes": LINGER_BYTES, "fetch_max_wait_ms": linger_ms} if linger_ms else {}
    return {**consumer_options(group_id), "batch": True, "max_records": max_records,
            "decoder": batch_decoder(adapter), **lingering}


async def strict_json(msg) -> object:
    """Bodies are JSON, full stop: FastStream's default would hand broken JSON on as a string."""
    return decode_json(msg.body)


def encode(event: BaseModel) -> bytes:
    return event.model_dump_json().encode()


def client_key(event: BaseModel | dict) -> bytes:
    client_id = event["client_id"] if isinstance(event, dict) else event.client_id
    return client_id.encode()


def _body(event: BaseModel | dict) -> bytes:
    return json.dumps(event, default=str).encode() if isinstance(event, dict) else encode(event)


async def publish_event(broker: KafkaBroker, topic: str, event: BaseModel | dict) -> None:
    """Publish one contract event, keyed by client_id so a client's events stay ordered."""
    await broker.publish(_body(event), topic, key=client_key(event), headers=JSON_HEADERS)


JSON_HEADERS = {"content-type": "application/json"}


def events_publisher(broker: KafkaBroker, topic: str, schema, description: str):
    """A documented publisher (it appears in the AsyncAPI document) sending batches of events.

    Sends are issued in order without waiting for each acknowledgement, then awaited together:
    the producer keeps per-partition order, and a failure raises before anything is marked sent.
    """
    publisher = broker.publisher(topic, title=f"{topic}:publish", description=description, schema=schema)

    async def publish(events: list[dict]) -> None:
        pending = [await publisher.publish(_body(e), key=client_key(e), headers=JSON_HEADERS, no_confirm=True)
                   for e in events]
        for sent in pending:
            await sent

    return publish
