"""Kafka subscribers of the credits service: decode at the edge, apply a batch, then commit.

Records arrive in batches (up to 500) so that a batch costs a handful of database round trips
instead of several per event. Each record is still judged alone: one that fails validation or
breaks a rule is dead-lettered with its reason and the rest of the batch applies.
"""

from pydantic import TypeAdapter

from faststream.kafka import KafkaMessage, KafkaRouter

from services.credits.handlers.commands import CreditsHandlers
from shared.contract.bookings import BookingEvent
from shared.contract.sales import SalesEvent
from shared.contract.topics import BOOKINGS, SALES
from shared.wiring.batches import refusals
from shared.wiring.dead_letter import DeadLetters
from shared.wiring.kafka import batch_consumer_options

# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"sales": SALES.name, "bookings": BOOKINGS.name}

SALES_EVENTS = TypeAdapter(SalesEvent)
BOOKING_EVENTS = TypeAdapter(BookingEvent)


def register(router: KafkaRouter, handlers: CreditsHandlers, dead_letters: DeadLetters, group: str) -> None:
    async def apply(adapter: TypeAdapter, events: list, msg: KafkaMessage) -> None:
        records = msg.raw_message
        for record, error in refusals(adapter, records, events):
            await dead_letters.send(record, error)
        valid = [(record, event) for record, event in zip(records, events, strict=True) if event is not None]
        broken = await handlers.apply_batch([event for _, event in valid])
        record_of = {id(event): record for record, event in valid}
        for event, error in broken:
            await dead_letters.send(record_of[id(event)], error)
        await msg.ack()

    @router.subscriber(SALES.name, **batch_consumer_options(f"{group}.sales", SALES_EVENTS), title="credits/sales")
    async def on_sales(events: list[SalesEvent | None], msg: KafkaMessage) -> None:
        await apply(SALES_EVENTS, events, msg)

    @router.subscriber(BOOKINGS.name, **batch_consumer_options(f"{group}.bookings", BOOKING_EVENTS),
                       title="credits/bookings")
    async def on_bookings(events: list[BookingEvent | None], msg: KafkaMessage) -> None:
        await apply(BOOKING_EVENTS, events, msg)
