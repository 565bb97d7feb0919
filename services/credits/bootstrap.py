"""Bootstrap of the credits service."""

from services.credits.entrypoints import dependencies, routes, subscribers
from services.credits.service_layer.handlers import CreditsHandlers
from services.credits.adapters.store import CreditsStore
from services.credits.entrypoints.sweeper import run_expiry_sweeper
from shared.contract.credits import CreditsEvent
from shared.contract.topics import CREDITS
from shared.aggregates.compaction import Retention
from shared.wiring.dependencies import IDEMPOTENT, IdempotentCommands
from shared.wiring.idempotency import IdempotencyKeys
from shared.wiring.kafka import events_publisher, inbound_router
from shared.wiring.locations import LocationBook
from shared.wiring.service import Service, Wiring


def assemble(wiring: Wiring) -> Service:
    publish = events_publisher(wiring.broker, CREDITS.name, CreditsEvent, "Every effect the credits service decided")
    store = CreditsStore(wiring.db, publish, wiring.clock.now, Retention.of(wiring.settings))
    store.aggregates.compactor.count_in(wiring.registry)
    locations = LocationBook(wiring.db["locations"])
    handlers = CreditsHandlers(store, wiring.clock, locations)
    inbound = inbound_router(wiring.outages)
    subscribers.register(inbound, wiring.settings.consumer_group)
    subscribers.provide(wiring.broker.context, handlers, wiring.consumers, wiring.settings.consumer_group)
    keys = IdempotencyKeys(wiring.db["idempotency_keys"])
    return Service(
        kafka_routers=[inbound],
        http_routers=[routes.router],
        on_start=[store.ensure_indexes, locations.refresh],
        background=[store.aggregates.run_relay, store.aggregates.run_compactor,
                    lambda: run_expiry_sweeper(handlers, wiring.settings.sweep_seconds),
                    locations.follow],  # zones another instance stored, within a second
        provides=[dependencies.HANDLERS.bind(handlers), IDEMPOTENT.bind(IdempotentCommands(keys, wiring.clock))],
    )
