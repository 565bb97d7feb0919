"""Kafka subscribers of the bookings service: decode at the edge, apply a batch, then commit.

`studio.bookings.v1` is ours to police: a record that fails validation or breaks a lifecycle
rule is dead-lettered with its reason and the rest of the batch applies. `studio.credits.v1`
belongs to the credits service: only its answers count, and what we cannot read is skipped.
Outages and bugs are handled alike on both (shared.wiring.batches).
"""

from faststream.kafka import KafkaMessage, KafkaRouter
from pydantic import TypeAdapter

from services.bookings.handlers.commands import BookingsHandlers
from shared.contract.bookings import BookingEvent
from shared.contract.credits import CreditsEvent
from shared.contract.topics import BOOKINGS, CREDITS
from shared.wiring.batches import Consumers
from shared.wiring.kafka import batch_consumer_options

# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"bookings": BOOKINGS.name, "credits": CREDITS.name}

BOOKING_EVENTS = TypeAdapter(BookingEvent)
CREDITS_EVENTS = TypeAdapter(CreditsEvent)


def register(platform: KafkaRouter, credits: KafkaRouter, handlers: BookingsHandlers,
             consumers: Consumers, group: str) -> None:
    facts = consumers("bookings/bookings", f"{group}.bookings", BOOKING_EVENTS, handlers.apply_batch)
    answers = consumers("bookings/credits", f"{group}.credits", CREDITS_EVENTS, handlers.follow_credits,
                        gatekeeper=False)

    @platform.subscriber(BOOKINGS.name, **batch_consumer_options(f"{group}.bookings", BOOKING_EVENTS),
                         title="bookings/bookings")
    async def on_bookings(events: list[BookingEvent | None], msg: KafkaMessage) -> None:
        await facts(events, msg)

    @credits.subscriber(CREDITS.name, **batch_consumer_options(f"{group}.credits", CREDITS_EVENTS),
                        title="bookings/credits")
    async def on_credits(events: list[CreditsEvent | None], msg: KafkaMessage) -> None:
        await answers(events, msg)
