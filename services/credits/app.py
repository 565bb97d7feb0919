"""Bootstrap of the credits service."""

from faststream.kafka import KafkaBroker

from services.credits.handlers import routes, subscribers
from services.credits.handlers.commands import CreditsHandlers
from services.credits.store import CreditsStore
from services.credits.sweeper import run_expiry_sweeper
from shared.contract.topics import CREDITS
from shared.wiring.idempotency import IdempotencyKeys
from shared.wiring.kafka import inbound_router, publish_event
from shared.wiring.service import Service, Wiring


def publisher(broker: KafkaBroker):
    async def publish(events: list[dict]) -> None:
        for event in events:
            await publish_event(broker, CREDITS.name, event)

    return publish


def assemble(wiring: Wiring) -> Service:
    store = CreditsStore(wiring.db, publisher(wiring.broker), wiring.clock.now)
    handlers = CreditsHandlers(store, wiring.clock)
    sales, bookings = inbound_router(wiring.broker), inbound_router(wiring.broker)
    subscribers.register(sales, bookings, handlers, wiring.settings.consumer_group)
    keys = IdempotencyKeys(wiring.db["idempotency_keys"])
    return Service(
        kafka_routers=[sales, bookings],
        http_routers=[routes.router],
        on_start=[store.ensure_indexes],
        background=[store.aggregates.run_relay, lambda: run_expiry_sweeper(handlers)],
        state={"handlers": handlers, "idempotency": keys},
    )
