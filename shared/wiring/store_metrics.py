"""Counts the store's round trips: every command a service sends to MongoDB/FerretDB, by kind.

A pymongo `CommandListener` sees each command the driver sends, whatever code path sent it, so
the count is what the store really served (`find`, `insert`, `update`, `getMore`, ...). The
e2e benchmark reads it from `/metrics` to report store round trips per inbound event.

Each command is also told by its origin: `api` when sent while serving an HTTP request (marked
by `CountedAsApi`, a context variable the request's task and the tasks it starts inherit),
`events` for everything else (consumers, relays, sweepers, refreshes). The async driver calls
`started()` in the task that sends the command, so the variable is the sender's.
"""

from contextvars import ContextVar

from prometheus_client import CollectorRegistry, Counter
from pymongo import monitoring
from starlette.types import ASGIApp, Receive, Scope, Send

# Connection handshakes and health probes are not work done for an event.
NOT_COUNTED = frozenset({"hello", "ismaster", "isMaster", "ping", "buildInfo", "endSessions", "saslStart",
                         "saslContinue"})
API, EVENTS = "api", "events"
ORIGIN: ContextVar[str] = ContextVar("store_command_origin", default=EVENTS)


class StoreCommands(monitoring.CommandListener):
    def __init__(self, registry: CollectorRegistry) -> None:
        # Kept as it was (read by dashboards and older benchmark results): every origin together.
        self.sent = Counter("store_commands", "Commands sent to the database, by command name",
                            ["command"], registry=registry)
        # The same commands by collection and origin: which read or write a count comes from, and
        # whether an HTTP request or an event paid for it.
        self.on = Counter("store_collection_commands",
                          "Commands sent to the database, by command, collection and origin (api: while "
                          "serving an HTTP request; events: consumers and background jobs)",
                          ["command", "collection", "origin"], registry=registry)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in NOT_COUNTED:
            self.sent.labels(event.command_name).inc()
            self.on.labels(event.command_name, _collection(event), ORIGIN.get()).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _collection(event: monitoring.CommandStartedEvent) -> str:
    """The collection a command names (its first field's value); `getMore` names it under `collection`."""
    target = event.command.get("collection") if event.command_name == "getMore" else event.command.get(event.command_name)
    return target if isinstance(target, str) else "-"


class CountedAsApi:
    """ASGI middleware: the store commands sent while an HTTP request is served count as `api`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the lifespan starts the consumers and background jobs
            return await self.app(scope, receive, send)
        token = ORIGIN.set(API)
        try:
            await self.app(scope, receive, send)
        finally:
            ORIGIN.reset(token)
