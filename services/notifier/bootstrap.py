"""Bootstrap of the notifier service."""

from services.notifier.adapters.delivery import SmtpMailer
from services.notifier.service_layer.dispatcher import Dispatcher
from services.notifier.entrypoints import dependencies, reachability, routes, subscribers
from services.notifier.service_layer.catalog import Catalog
from services.notifier.service_layer.definitions import Definitions
from services.notifier.service_layer.marketing import MarketingViews
from services.notifier.service_layer.members import MEMBER, MemberChanges
from services.notifier.adapters.member_feed import AnnouncedMembers, MemberFeed
from services.notifier.entrypoints.scheduler import Scheduler
from services.notifier.adapters.store import NotifierStore
from shared.contract.notifier import NotifierEvent
from shared.contract.topics import NOTIFIER, NOTIFIER_FEED
from shared.wiring.dependencies import IDEMPOTENT, IdempotentCommands
from shared.wiring.idempotency import IdempotencyKeys
from shared.aggregates.compaction import Retention
from shared.aggregates.store import AggregateStore
from shared.wiring.kafka import events_publisher, inbound_router, raw_sender
from shared.wiring.locations import LocationBook
from shared.wiring.service import Service, Wiring


def assemble(wiring: Wiring) -> Service:
    publish = events_publisher(wiring.broker, NOTIFIER.name, NotifierEvent,
                               "Audience entries and exits, and the outcome of every message")
    clock, retention = wiring.clock, Retention.of(wiring.settings)
    store = NotifierStore(wiring.db, clock.now, retention.trust_cache)
    catalog = Catalog(store)
    locations = LocationBook(wiring.db["locations"])
    log = AggregateStore(wiring.db["member_versions"], MEMBER, publish, clock.now, cache=store.book,
                         retention=retention)
    log.compactor.count_in(wiring.registry)
    feed = MemberFeed(wiring.settings.kafka_bootstrap_servers, NOTIFIER_FEED, wiring.db.name,
                      raw_sender(wiring.broker), wiring.outages.outlast, clock.now)
    members = MemberChanges(AnnouncedMembers(log, feed), store, catalog, clock, locations)
    dispatcher = Dispatcher(store, SmtpMailer(wiring.settings.smtp_url), publish, clock)
    scheduler = Scheduler(store, catalog, dispatcher, clock, wiring.settings.sweep_seconds, members)
    clients = inbound_router(wiring.outages)  # reports is the gatekeeper of clients
    credits = inbound_router(wiring.outages)  # the credits service owns its topic (and locations')
    subscribers.register(clients, credits, wiring.settings.consumer_group)
    subscribers.provide(wiring.broker.context, members, locations, wiring.consumers, wiring.settings.consumer_group)
    definitions = Definitions(store, catalog, members, dispatcher, scheduler.wake, clock, feed)
    return Service(
        kafka_routers=[clients, credits],
        http_routers=[routes.router, reachability.router],
        # The feed is positioned before the book and the catalog are loaded: nothing falls between.
        on_start=[store.ensure_indexes, log.ensure_indexes, feed.position, catalog.reload, store.book.load,
                  locations.refresh],  # before the first event
        # What other instances committed and defined, as it happens (the feed), and their zones.
        background=[scheduler.run, log.run_relay, log.run_compactor, lambda: feed.follow(store.book, definitions.learnt),
                    locations.follow],
        provides=[dependencies.STORE.bind(store), dependencies.DEFINITIONS.bind(definitions),
                  dependencies.VIEWS.bind(MarketingViews(store, catalog)),
                  IDEMPOTENT.bind(IdempotentCommands(IdempotencyKeys(wiring.db["idempotency_keys"]), clock))],
    )
