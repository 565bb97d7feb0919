"""Counts the store's round trips: every command a service sends to MongoDB/FerretDB, by kind.

A pymongo `CommandListener` sees each command the driver sends, whatever code path sent it, so
the count is what the store really served (`find`, `insert`, `update`, `getMore`, ...). The
e2e benchmark reads it from `/metrics` to report store round trips per inbound event.
"""

from prometheus_client import CollectorRegistry, Counter
from pymongo import monitoring

# Connection handshakes and health probes are not work done for an event.
NOT_COUNTED = frozenset({"hello", "ismaster", "isMaster", "ping", "buildInfo", "endSessions", "saslStart",
                         "saslContinue"})


class StoreCommands(monitoring.CommandListener):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.sent = Counter("store_commands", "Commands sent to the database, by command name",
                            ["command"], registry=registry)
        # The same commands by collection too: which read or write a round trip count comes from.
        self.on = Counter("store_collection_commands", "Commands sent to the database, by command and collection",
                          ["command", "collection"], registry=registry)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in NOT_COUNTED:
            self.sent.labels(event.command_name).inc()
            self.on.labels(event.command_name, _collection(event)).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _collection(event: monitoring.CommandStartedEvent) -> str:
    """The collection a command names (its first field's value); `getMore` names it under `collection`."""
    target = event.command.get("collection") if event.command_name == "getMore" else event.command.get(event.command_name)
    return target if isinstance(target, str) else "-"
