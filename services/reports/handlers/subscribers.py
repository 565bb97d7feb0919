"""Kafka subscribers of the reports service: thin edges that decode and call the projector.

Each handles one record at a time, with one consumer per partition of its topic in the group
(FastStream's `max_workers`, manual commits per partition): a client's records share a partition
(key = `client_id`), so they stay in order, while different partitions are applied side by side.
A record costs a few FerretDB round trips, each a scan on the PostgreSQL backend, so one consumer
for all six partitions was the reports' freshness limit. Rows of one (location, client) are still
written by one writer at a time (the store's keyed lock).
"""

from collections.abc import Awaitable, Callable

from faststream.kafka import KafkaMessage, KafkaRouter

from services.reports.projector import Projector
from shared.contract.clients import ClientEvent
from shared.contract.credits import CreditsEvent
from shared.contract.topics import CLIENTS, CREDITS
from shared.wiring.kafka import consumer_options


# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"clients": CLIENTS.name, "credits": CREDITS.name}


def register(clients_router: KafkaRouter, credits_router: KafkaRouter, projector: Projector,
             writable: Callable[[], Awaitable[None]], group: str) -> None:
    """`writable()` returns once live writes may go on (a rebuild holds them while it switches)."""

    @clients_router.subscriber(CLIENTS.name, **consumer_options(f"{group}.clients"), max_workers=CLIENTS.partitions,
                               title="reports/clients")
    async def on_client(event: ClientEvent, msg: KafkaMessage) -> None:
        await writable()
        await projector.client_event(event)
        await msg.ack()

    @credits_router.subscriber(CREDITS.name, **consumer_options(f"{group}.credits"), max_workers=CREDITS.partitions,
                               title="reports/credits")
    async def on_credits(event: CreditsEvent, msg: KafkaMessage) -> None:
        await writable()
        await projector.credits_event(event)
        await msg.ack()
