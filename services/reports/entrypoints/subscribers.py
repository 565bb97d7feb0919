"""Kafka subscribers of the reports service: a batch at a time, folded into one write per row.

Records arrive in batches (up to 500) and the projector folds each batch into the writes it comes
to (services.reports.domain.folding): a row changed ten times in a batch is written once, the
profile copies are read from memory, and `as_of` moves once. The reports service is the gatekeeper
of `studio.clients.v1` (a record that fails validation is dead-lettered with its reason, the rest
of the batch applies); `studio.credits.v1` belongs to the credits service, so a record it could
not decode is skipped here, and so is a `studio.locations.v1` record (the credits service is that
topic's gatekeeper). Outages and bugs are handled alike on all three (shared.wiring.batches).
Offsets are committed only after the batch is stored.

The subscribers are declared by `register`; what they apply reaches them through the broker's
FastStream context, set by `provide` (docs/architecture.md).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated

from faststream import Context, ContextRepo
from faststream.kafka import KafkaMessage, KafkaRouter

from services.reports.service_layer.projector import Projector
from shared.contract import CLIENT_EVENTS, CREDITS_EVENTS, LOCATION_EVENTS
from shared.contract.clients import ClientEvent
from shared.contract.credits import CreditsEvent
from shared.contract.locations import LocationsEvent
from shared.contract.topics import CLIENTS, CREDITS, LOCATIONS
from shared.wiring.batches import BatchConsumer, Consumers
from shared.wiring.kafka import batch_consumer_options

# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"locations": LOCATIONS.name, "clients": CLIENTS.name, "credits": CREDITS.name}


@dataclass(frozen=True)
class ReportsConsumers:
    """Each subscriber's handler inside the one failure model (shared.wiring.batches); all three
    fold their batch through the projector once live writes may go on."""

    profiles: BatchConsumer  # studio.clients.v1
    credits: BatchConsumer  # studio.credits.v1
    zones: BatchConsumer  # studio.locations.v1


CONSUMED = "reports_consumers"  # its key in the broker's context
Consumed = Annotated[ReportsConsumers, Context(CONSUMED)]


async def on_clients(events: list[ClientEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.profiles(events, msg)


async def on_credits(events: list[CreditsEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.credits(events, msg)


async def on_locations(events: list[LocationsEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.zones(events, msg)


def register(clients_router: KafkaRouter, credits_router: KafkaRouter, group: str) -> None:
    clients_router.subscriber(CLIENTS.name, **batch_consumer_options(f"{group}.clients", CLIENT_EVENTS),
                              title="reports/clients")(on_clients)
    credits_router.subscriber(CREDITS.name, **batch_consumer_options(f"{group}.credits", CREDITS_EVENTS),
                              title="reports/credits")(on_credits)
    credits_router.subscriber(LOCATIONS.name, **batch_consumer_options(f"{group}.locations", LOCATION_EVENTS),
                              title="reports/locations")(on_locations)


def provide(context: ContextRepo, projector: Projector, writable: Callable[[], Awaitable[None]],
            consumers: Consumers, group: str) -> None:
    """`writable()` returns once live writes may go on (a rebuild holds them while it switches)."""
    apply = partial(_when_writable, writable, projector)
    context.set_global(CONSUMED, ReportsConsumers(
        profiles=consumers("reports/clients", f"{group}.clients", CLIENT_EVENTS, apply),
        credits=consumers("reports/credits", f"{group}.credits", CREDITS_EVENTS, apply, gatekeeper=False),
        zones=consumers("reports/locations", f"{group}.locations", LOCATION_EVENTS, apply, gatekeeper=False)))


async def _when_writable(writable: Callable[[], Awaitable[None]], projector: Projector, events: list) -> list:
    await writable()  # before every try: an outage retried across a switch-over waits for it too
    return await projector.apply(events)
