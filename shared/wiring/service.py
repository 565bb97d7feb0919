"""Builds one service: its clients, its Kafka subscribers, its HTTP app, its background tasks.

Everything is constructed in `create_app` (no I/O: clients connect lazily) and connected in the
FastAPI lifespan, in order: topics, the service's own start-up (indexes), the broker, then the
background tasks. A service plugs in through `assemble(wiring) -> Service`; what its routes are
given travels as typed bindings (shared.wiring.dependencies), what its subscribers are given in
the broker's FastStream context (docs/architecture.md).
"""

from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from opentelemetry.sdk.trace import TracerProvider
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.specification import AsyncAPI
from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from starlette.types import ASGIApp

from shared.wiring import mongo
from shared.wiring.api_docs import serve_api_docs
from shared.wiring.clock import Clock, clock_from
from shared.wiring.dependencies import CLOCK, SETTINGS, Binding, provide
from shared.wiring.http import health_router, install_error_handlers
from shared.wiring.batches import Consumers
from shared.wiring.dead_letter import DeadLetters
from shared.wiring.background import running
from shared.wiring.failures import Outages
from shared.wiring.kafka import build_broker, create_topics, raw_sender
from shared.wiring.logging import configure_logging, get_logger
from shared.wiring.settings import Settings
from shared.wiring.staff_secret import WeakStaffSecret, check_staff_secret
from shared.wiring.store_metrics import CountedAsApi, StoreCommands
from shared.wiring.tracing import instrument, instrument_http, tracer_provider

log = get_logger(__name__)


@dataclass
class Wiring:
    """What a service's handlers may be given: nothing else reaches the outside world."""

    settings: Settings
    clock: Clock
    mongo_client: AsyncMongoClient
    db: AsyncDatabase
    broker: KafkaBroker
    registry: CollectorRegistry
    outages: Outages  # which consumers wait out a failing store or broker (/health/ready, metrics)
    consumers: Consumers  # builds each Kafka subscriber's BatchConsumer (the one failure model)
    tracer_provider: TracerProvider | None = None  # None: tracing is off


@dataclass
class Service:
    """What a service adds to the common wiring."""

    kafka_routers: Sequence[KafkaRouter] = ()
    http_routers: Sequence[APIRouter] = ()
    on_start: Sequence[Callable[[], Awaitable[None]]] = ()
    background: Sequence[Callable[[], Awaitable[None]]] = field(default_factory=tuple)
    provides: Sequence[Binding] = ()  # what its routes are given (shared.wiring.dependencies)
    mounts: dict[str, ASGIApp] = field(default_factory=dict)  # path -> app, e.g. static files


def build_wiring(settings: Settings, clock: Clock | None = None) -> Wiring:
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)  # resident memory and CPU, read by the benchmarks
    PlatformCollector(registry=registry)
    broker = build_broker(settings.kafka_bootstrap_servers)
    broker.add_middleware(KafkaPrometheusMiddleware(registry=registry, app_name=settings.service_name))
    tracing = tracer_provider(settings)
    instrument(broker, tracing)
    client = mongo.connect(settings.mongodb_url, [StoreCommands(registry)])
    outages = Outages(registry)
    return Wiring(
        settings=settings,
        clock=clock or clock_from(settings.clock_file),
        mongo_client=client,
        db=mongo.database(client, settings.database_name),
        broker=broker,
        registry=registry,
        outages=outages,
        consumers=Consumers(DeadLetters(raw_sender(broker)), outages),
        tracer_provider=tracing,
    )


def asyncapi_document(wiring: Wiring, title: str) -> dict:
    spec = AsyncAPI(wiring.broker, title=title, version="1.0.0")
    return spec.to_specification().to_jsonable()


def create_app(settings: Settings, assemble: Callable[[Wiring], Service], clock: Clock | None = None) -> FastAPI:
    """WeakStaffSecret if STAFF_JWT_SECRET is short or a published default (see `staff_secret`)."""
    check_staff_secret(settings.staff_jwt_secret, settings.allow_weak_staff_secret)
    configure_logging(settings.service_name, settings.log_level)
    wiring = build_wiring(settings, clock)
    service = assemble(wiring)
    for router in service.kafka_routers:
        wiring.broker.include_router(router)
    app = FastAPI(title=f"studio {settings.service_name}", version="1.0.0", lifespan=_lifespan(wiring, service),
                  docs_url=None, redoc_url=None)  # served from our own files, below
    serve_api_docs(app)
    provide(app, [CLOCK.bind(wiring.clock), SETTINGS.bind(settings), *service.provides])
    install_error_handlers(app)
    app.add_middleware(CountedAsApi)  # the store commands a request sends are told from the events'
    instrument_http(app, wiring.tracer_provider)
    _allow_staff_page(app, settings)
    app.include_router(health_router(_readiness(wiring), wiring.registry))
    for router in service.http_routers:
        app.include_router(router)
    for path, mounted in service.mounts.items():
        app.mount(path, mounted)
    spec = asyncapi_document(wiring, f"studio {settings.service_name} events")
    app.add_api_route("/asyncapi.json", lambda: spec, methods=["GET"], include_in_schema=False)
    return app


LOOPBACK_ORIGINS = r"https?://(127\.0\.0\.1|localhost)(:\d+)?"


def _allow_staff_page(app: FastAPI, settings: Settings) -> None:
    """The staff page (served by reports) calls every service from the browser. Tokens travel in
    the Authorization header, never in cookies, so no credentials are allowed cross-origin."""
    origins = [o.strip() for o in settings.staff_page_origins.split(",") if o.strip()]
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_origin_regex=LOOPBACK_ORIGINS,
                       allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
                       expose_headers=["Content-Disposition", "Idempotent-Replayed"], max_age=600)


def _readiness(wiring: Wiring) -> dict:
    async def kafka() -> bool:
        return await wiring.broker.ping(timeout=2.0)

    async def mongodb() -> bool:
        return await mongo.ping(wiring.mongo_client)

    return {"kafka": kafka, "mongodb": mongodb, "consumers": wiring.outages.check}


def _lifespan(wiring: Wiring, service: Service):
    @asynccontextmanager
    async def lifespan(_: FastAPI):
        # A store or broker failing at start-up (a restart of either, a service restarted with
        # it) is waited out like any outage, never a reason to exit.
        await wiring.outages.outlast("start-up", lambda: create_topics(wiring.settings.kafka_bootstrap_servers))
        for hook in service.on_start:
            await wiring.outages.outlast("start-up", hook)
        await wiring.outages.outlast("start-up", wiring.broker.start)
        try:
            async with running(service.background):
                log.info("service started", port=wiring.settings.port)
                yield
        finally:
            await wiring.broker.stop()
            await wiring.mongo_client.close()
            if wiring.tracer_provider is not None:
                wiring.tracer_provider.shutdown()  # flushes the spans still queued

    return lifespan


def run(settings: Settings, assemble: Callable[[Wiring], Service]) -> None:
    try:
        app = create_app(settings, assemble)
    except WeakStaffSecret as refused:
        raise SystemExit(f"{settings.service_name} refuses to start: {refused}") from None
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
