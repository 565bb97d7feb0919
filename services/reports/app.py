"""Bootstrap of the reports service."""

from services.reports.handlers import account_routes, report_routes, routes, subscribers
from services.reports.queries import ReportQueries
from services.reports.store import ReportsStore
from shared.wiring.kafka import inbound_router
from shared.wiring.service import Service, Wiring


def assemble(wiring: Wiring) -> Service:
    store = ReportsStore(wiring.db)
    clients = inbound_router(wiring.broker, gatekeeper=True)
    credits = inbound_router(wiring.broker, gatekeeper=False)  # the credits service owns its topic
    subscribers.register(clients, credits, store, wiring.settings.consumer_group)
    return Service(
        kafka_routers=[clients, credits],
        http_routers=[routes.router, report_routes.router, account_routes.router],
        on_start=[store.ensure_indexes],
        state={"store": store, "queries": ReportQueries(wiring.db)},
    )
