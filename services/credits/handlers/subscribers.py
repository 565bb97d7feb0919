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
from shared.wiring.batches import judge_batch
from shared.wiring.dead_letter import DeadLetters
from shared.wiring.kafka import batch_consumer_options

# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"locations": LOCATIONS.name, "sales": SALES.name, "lifecycle": LIFECYCLE.name}

LOCATION_EVENTS = TypeAdapter(LocationsEvent)
SALES_EVENTS = TypeAdapter(SalesEvent)
BOOKING_EVENTS = TypeAdapter(BookingEvent)


def register(router: KafkaRouter, handlers: CreditsHandlers, dead_letters: DeadLetters, group: str) -> None:
    @router.subscriber(LOCATIONS.name, **batch_consumer_options(f"{group}.locations", LOCATION_EVENTS),
                       title="credits/locations")
    async def on_locations(events: list[LocationsEvent | None], msg: KafkaMessage) -> None:
        await judge_batch(LOCATION_EVENTS, events, msg, handlers.locations.apply, dead_letters)

    @router.subscriber(SALES.name, **batch_consumer_options(f"{group}.sales", SALES_EVENTS), title="credits/sales")
    async def on_sales(events: list[SalesEvent | None], msg: KafkaMessage) -> None:
        await judge_batch(SALES_EVENTS, events, msg, handlers.apply_batch, dead_letters)

    @router.subscriber(LIFECYCLE.name, **batch_consumer_options(f"{group}.lifecycle", BOOKING_EVENTS),
                       title="credits/lifecycle")
    async def on_lifecycle(events: list[BookingEvent | None], msg: KafkaMessage) -> None:
        await judge_batch(BOOKING_EVENTS, events, msg, handlers.apply_batch, dead_letters)
