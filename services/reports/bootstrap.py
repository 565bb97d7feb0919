"""Bootstrap of the reports service."""

from services.reports.adapters.generations import Generations, LiveGeneration
from services.reports.entrypoints import (account_routes, dependencies, report_routes, routes, search_routes,
                                          subscribers)
from services.reports.entrypoints.staff_page import routes as staff_routes
from services.reports.service_layer.projector import Projector
from services.reports.service_layer.queries import ReportQueries
from services.reports.adapters.store import ReportsStore
from shared.wiring.kafka import inbound_router
from shared.wiring.service import Service, Wiring


def assemble(wiring: Wiring) -> Service:
    live = LiveGeneration(Generations(wiring.db))
    store, queries = ReportsStore(wiring.db, live), ReportQueries(wiring.db, live)
    clients = inbound_router(wiring.outages)  # the gatekeeper of studio.clients.v1
    credits = inbound_router(wiring.outages)  # the credits service owns its topic
    subscribers.register(clients, credits, wiring.settings.consumer_group)
    subscribers.provide(wiring.broker.context, Projector(store), live.writable, wiring.consumers,
                        wiring.settings.consumer_group)
    return Service(
        kafka_routers=[clients, credits],
        http_routers=[routes.router, report_routes.router, account_routes.router, search_routes.router,
                      staff_routes.router],
        mounts={"/staff": staff_routes.web_files()},
        on_start=[live.refresh, store.ensure_indexes, queries.configure],
        background=[live.watch],
        provides=[dependencies.READING.bind(dependencies.Reading(store, queries, wiring.clock))],
    )
