"""Kafka subscribers of the credits service: decode at the edge, apply a batch, then commit.

Records arrive in batches (up to 500) so that a batch costs a handful of database round trips
instead of several per event. Each record is still judged alone: one that fails validation or
breaks a rule is dead-lettered with its reason and the rest of the batch applies.

The credits service is the gatekeeper of `studio.locations.v1`: its decisions are the ones a
location's zone changes most (which package serves a session, when credit expires, which period a
booking counts in), so it is the one that refuses a bad location event (a `time_zone` that is
not an IANA name) and dead-letters it with the reason; reports and the notifier skip it.

Bookings come from `studio.bookings.lifecycle.v1`, the clean lifecycle the bookings service
publishes once it has accepted a fact, never from the noisy platform topic: a refused booking
fact is dead-lettered once, by bookings, and credits only sees moves it can apply.

The subscribers are declared by `register`; what they apply reaches them through the broker's
FastStream context, set by `provide` (docs/architecture.md).
"""

from dataclasses import dataclass
from typing import Annotated

from faststream import Context, ContextRepo
from faststream.kafka import KafkaMessage, KafkaRouter

from services.credits.service_layer.handlers import CreditsHandlers
from shared.contract import BOOKING_EVENTS, LOCATION_EVENTS, SALES_EVENTS
from shared.contract.bookings import BookingEvent
from shared.contract.locations import LocationsEvent
from shared.contract.sales import SalesEvent
from shared.contract.topics import LIFECYCLE, LOCATIONS, SALES
from shared.wiring.batches import BatchConsumer, Consumers
from shared.wiring.kafka import batch_consumer_options

# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"locations": LOCATIONS.name, "sales": SALES.name, "lifecycle": LIFECYCLE.name}


@dataclass(frozen=True)
class CreditsConsumers:
    """Each subscriber's handler inside the one failure model (shared.wiring.batches)."""

    locations: BatchConsumer  # studio.locations.v1 -> the location book
    sales: BatchConsumer  # studio.sales.v1 -> CreditsHandlers.apply_batch
    lifecycle: BatchConsumer  # studio.bookings.lifecycle.v1 -> CreditsHandlers.apply_batch


CONSUMED = "credits_consumers"  # its key in the broker's context
Consumed = Annotated[CreditsConsumers, Context(CONSUMED)]


async def on_locations(events: list[LocationsEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.locations(events, msg)


async def on_sales(events: list[SalesEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.sales(events, msg)


async def on_lifecycle(events: list[BookingEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.lifecycle(events, msg)


def register(router: KafkaRouter, group: str) -> None:
    router.subscriber(LOCATIONS.name, **batch_consumer_options(f"{group}.locations", LOCATION_EVENTS),
                      title="credits/locations")(on_locations)
    router.subscriber(SALES.name, **batch_consumer_options(f"{group}.sales", SALES_EVENTS),
                      title="credits/sales")(on_sales)
    router.subscriber(LIFECYCLE.name, **batch_consumer_options(f"{group}.lifecycle", BOOKING_EVENTS),
                      title="credits/lifecycle")(on_lifecycle)


def provide(context: ContextRepo, handlers: CreditsHandlers, consumers: Consumers, group: str) -> None:
    context.set_global(CONSUMED, CreditsConsumers(
        locations=consumers("credits/locations", f"{group}.locations", LOCATION_EVENTS, handlers.locations.apply),
        sales=consumers("credits/sales", f"{group}.sales", SALES_EVENTS, handlers.apply_batch),
        lifecycle=consumers("credits/lifecycle", f"{group}.lifecycle", BOOKING_EVENTS, handlers.apply_batch)))
