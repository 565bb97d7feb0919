"""Kafka subscribers of the credits service: decode at the edge, apply, then commit."""

from faststream.kafka import KafkaMessage, KafkaRouter

from services.credits.handlers.commands import CreditsHandlers
from shared.contract.bookings import BookingEvent
from shared.contract.sales import SalesEvent
from shared.contract.topics import BOOKINGS, SALES
from shared.wiring.kafka import consumer_options


# consumer group suffix -> topic; the group is "<service group>.<suffix>"
SUBSCRIPTIONS = {"sales": SALES.name, "bookings": BOOKINGS.name}


def register(sales: KafkaRouter, bookings: KafkaRouter, handlers: CreditsHandlers, group: str) -> None:
    @sales.subscriber(SALES.name, **consumer_options(f"{group}.sales"), title="credits/sales")
    async def on_sale(event: SalesEvent, msg: KafkaMessage) -> None:
        await handlers.apply_event(event)
        await msg.ack()

    @bookings.subscriber(BOOKINGS.name, **consumer_options(f"{group}.bookings"), title="credits/bookings")
    async def on_booking(event: BookingEvent, msg: KafkaMessage) -> None:
        await handlers.apply_event(event)
        await msg.ack()
