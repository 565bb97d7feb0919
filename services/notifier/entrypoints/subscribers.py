"""Kafka subscribers of the notifier: profiles and credits in, members kept current, a batch at a time.

Records arrive in batches (up to 500) so that a batch costs a few round trips instead of several
per event. No topic is ours to police: a record that fails validation is skipped here (its
gatekeeper dead-letters it, with the reason). Outages are waited out and an event our code
fails on is dead-lettered under our group (shared.wiring.batches). Offsets are committed only
after the batch's changes and their effects are stored.

Location zones: the credits service dead-letters what fails validation, so it is skipped here.
A zone that changes a location's today is picked up by the scheduler's next sweep.

The subscribers are declared by `register`; what they apply reaches them through the broker's
FastStream context, set by `provide` (docs/architecture.md).
"""

from dataclasses import dataclass
from typing import Annotated

from faststream import Context, ContextRepo
from faststream.kafka import KafkaMessage, KafkaRouter

from services.notifier.service_layer.members import MemberChanges
from shared.contract import CLIENT_EVENTS, CREDITS_EVENTS, LOCATION_EVENTS
from shared.contract.clients import ClientEvent
from shared.contract.credits import CreditsEvent
from shared.contract.locations import LocationsEvent
from shared.contract.topics import CLIENTS, CREDITS, LOCATIONS
from shared.wiring.batches import BatchConsumer, Consumers
from shared.wiring.kafka import batch_consumer_options
from shared.wiring.locations import LocationBook

# Audiences and journeys are not watched in real time: a batch may wait a quarter second to
# gather more events, each batch's commit (versions, outbox entry, feed record) shared by more.
LINGER_MS = 250

# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"locations": LOCATIONS.name, "clients": CLIENTS.name, "credits": CREDITS.name}


@dataclass(frozen=True)
class NotifierConsumers:
    """Each subscriber's handler inside the one failure model (shared.wiring.batches)."""

    profiles: BatchConsumer  # studio.clients.v1 -> MemberChanges.apply_batch
    credits: BatchConsumer  # studio.credits.v1 -> MemberChanges.apply_batch
    zones: BatchConsumer  # studio.locations.v1 -> the location book


CONSUMED = "notifier_consumers"  # its key in the broker's context
Consumed = Annotated[NotifierConsumers, Context(CONSUMED)]


async def on_clients(events: list[ClientEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.profiles(events, msg)


async def on_credits(events: list[CreditsEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.credits(events, msg)


async def on_locations(events: list[LocationsEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.zones(events, msg)


def register(clients_router: KafkaRouter, credits_router: KafkaRouter, group: str) -> None:
    clients_router.subscriber(CLIENTS.name, **batch_consumer_options(f"{group}.clients", CLIENT_EVENTS,
                                                                     linger_ms=LINGER_MS),
                              title="notifier/clients")(on_clients)
    credits_router.subscriber(CREDITS.name, **batch_consumer_options(f"{group}.credits", CREDITS_EVENTS,
                                                                     linger_ms=LINGER_MS),
                              title="notifier/credits")(on_credits)
    credits_router.subscriber(LOCATIONS.name, **batch_consumer_options(f"{group}.locations", LOCATION_EVENTS),
                              title="notifier/locations")(on_locations)


def provide(context: ContextRepo, members: MemberChanges, locations: LocationBook, consumers: Consumers,
            group: str) -> None:
    context.set_global(CONSUMED, NotifierConsumers(
        profiles=consumers("notifier/clients", f"{group}.clients", CLIENT_EVENTS, members.apply_batch,
                           gatekeeper=False),
        credits=consumers("notifier/credits", f"{group}.credits", CREDITS_EVENTS, members.apply_batch,
                          gatekeeper=False),
        zones=consumers("notifier/locations", f"{group}.locations", LOCATION_EVENTS, locations.apply,
                        gatekeeper=False)))
