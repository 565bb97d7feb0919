"""Bootstrap of the bookings service."""

from functools import partial

from services.bookings.adapters.directory import BookingDirectory
from services.bookings.entrypoints import dependencies, routes, subscribers
from services.bookings.service_layer.handlers import BookingsHandlers
from services.bookings.adapters.store import client_bookings
from shared.contract.bookings import BookingEvent
from shared.contract.topics import BOOKINGS, LIFECYCLE
from shared.aggregates.compaction import Retention
from shared.wiring.dependencies import IDEMPOTENT, IdempotentCommands
from shared.wiring.idempotency import IdempotencyKeys
from shared.wiring.kafka import events_publisher, inbound_router, publish_event
from shared.wiring.service import Service, Wiring

LIFECYCLE_DESCRIPTION = (
    "The clean booking lifecycle: every booking fact the bookings service accepted from "
    f"{BOOKINGS.name}, unchanged in shape, under an event_id derived from the original one. "
    "A booking's ending is published only once the credits service has reserved its credit."
)


def assemble(wiring: Wiring) -> Service:
    publish = events_publisher(wiring.broker, LIFECYCLE.name, BookingEvent, LIFECYCLE_DESCRIPTION)
    clients = client_bookings(wiring.db, publish, wiring.clock.now, Retention.of(wiring.settings))
    clients.compactor.count_in(wiring.registry)
    directory = BookingDirectory(wiring.db["booking_directory"])
    send = partial(publish_event, wiring.broker, BOOKINGS.name)
    handlers = BookingsHandlers(clients, directory, send, wiring.clock)
    platform = inbound_router(wiring.outages)  # the gatekeeper of studio.bookings.v1
    credits = inbound_router(wiring.outages)  # the credits service owns its topic
    subscribers.register(platform, credits, wiring.settings.consumer_group)
    subscribers.provide(wiring.broker.context, handlers, wiring.consumers, wiring.settings.consumer_group)
    return Service(
        kafka_routers=[platform, credits],
        http_routers=[routes.router],
        on_start=[clients.ensure_indexes],
        background=[clients.run_relay, clients.run_compactor],
        provides=[dependencies.HANDLERS.bind(handlers),
                  IDEMPOTENT.bind(IdempotentCommands(IdempotencyKeys(wiring.db["idempotency_keys"]), wiring.clock))],
    )
