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
"""

from faststream.kafka import KafkaMessage, KafkaRouter
from pydantic import TypeAdapter

from services.credits.handlers.commands import CreditsHandlers
from shared.contract.bookings import BookingEvent
from shared.contract.locations import LocationsEvent
from shared.contract.sales import SalesEvent
from shared.contract.topics import LIFECYCLE, LOCATIONS, SALES
from shared.wiring.batches import Consumers
from shared.wiring.kafka import batch_consumer_options

# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"locations": LOCATIONS.name, "sales": SALES.name, "lifecycle": LIFECYCLE.name}

LOCATION_EVENTS = TypeAdapter(LocationsEvent)
SALES_EVENTS = TypeAdapter(SalesEvent)
BOOKING_EVENTS = TypeAdapter(BookingEvent)


def register(router: KafkaRouter, handlers: CreditsHandlers, consumers: Consumers, group: str) -> None:
    locations = consumers("credits/locations", f"{group}.locations", LOCATION_EVENTS, handlers.locations.apply)
    sales = consumers("credits/sales", f"{group}.sales", SALES_EVENTS, handlers.apply_batch)
    lifecycle = consumers("credits/lifecycle", f"{group}.lifecycle", BOOKING_EVENTS, handlers.apply_batch)

    @router.subscriber(LOCATIONS.name, **batch_consumer_options(f"{group}.locations", LOCATION_EVENTS),
                       title="credits/locations")
    async def on_locations(events: list[LocationsEvent | None], msg: KafkaMessage) -> None:
        await locations(events, msg)

    @router.subscriber(SALES.name, **batch_consumer_options(f"{group}.sales", SALES_EVENTS), title="credits/sales")
    async def on_sales(events: list[SalesEvent | None], msg: KafkaMessage) -> None:
        await sales(events, msg)

    @router.subscriber(LIFECYCLE.name, **batch_consumer_options(f"{group}.lifecycle", BOOKING_EVENTS),
                       title="credits/lifecycle")
    async def on_lifecycle(events: list[BookingEvent | None], msg: KafkaMessage) -> None:
        await lifecycle(events, msg)
