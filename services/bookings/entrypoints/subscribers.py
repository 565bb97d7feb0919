"""Kafka subscribers of the bookings service: decode at the edge, apply a batch, then commit.

`studio.bookings.v1` is ours to police: a record that fails validation or breaks a lifecycle
rule is dead-lettered with its reason and the rest of the batch applies. `studio.credits.v1`
belongs to the credits service: only its answers count, and what we cannot read is skipped.
Outages and bugs are handled alike on both (shared.wiring.batches).

The subscribers are declared by `register`; what they apply reaches them through the broker's
FastStream context, set by `provide` (docs/architecture.md).
"""

from dataclasses import dataclass
from typing import Annotated

from faststream import Context, ContextRepo
from faststream.kafka import KafkaMessage, KafkaRouter

from services.bookings.service_layer.handlers import BookingsHandlers
from shared.contract import BOOKING_EVENTS, CREDITS_EVENTS
from shared.contract.bookings import BookingEvent
from shared.contract.credits import CreditsEvent
from shared.contract.topics import BOOKINGS, CREDITS
from shared.wiring.batches import BatchConsumer, Consumers
from shared.wiring.kafka import batch_consumer_options

# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"bookings": BOOKINGS.name, "credits": CREDITS.name}


@dataclass(frozen=True)
class BookingsConsumers:
    """Each subscriber's handler inside the one failure model (shared.wiring.batches)."""

    facts: BatchConsumer  # studio.bookings.v1 -> BookingsHandlers.apply_batch
    answers: BatchConsumer  # studio.credits.v1 -> BookingsHandlers.follow_credits


CONSUMED = "bookings_consumers"  # its key in the broker's context
Consumed = Annotated[BookingsConsumers, Context(CONSUMED)]


async def on_bookings(events: list[BookingEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.facts(events, msg)


async def on_credits(events: list[CreditsEvent | None], msg: KafkaMessage, consumed: Consumed) -> None:
    await consumed.answers(events, msg)


def register(platform: KafkaRouter, credits: KafkaRouter, group: str) -> None:
    platform.subscriber(BOOKINGS.name, **batch_consumer_options(f"{group}.bookings", BOOKING_EVENTS),
                        title="bookings/bookings")(on_bookings)
    credits.subscriber(CREDITS.name, **batch_consumer_options(f"{group}.credits", CREDITS_EVENTS),
                       title="bookings/credits")(on_credits)


def provide(context: ContextRepo, handlers: BookingsHandlers, consumers: Consumers, group: str) -> None:
    context.set_global(CONSUMED, BookingsConsumers(
        facts=consumers("bookings/bookings", f"{group}.bookings", BOOKING_EVENTS, handlers.apply_batch),
        answers=consumers("bookings/credits", f"{group}.credits", CREDITS_EVENTS, handlers.follow_credits,
                          gatekeeper=False)))
