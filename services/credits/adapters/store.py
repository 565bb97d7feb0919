"""Where the credits service keeps its aggregates: a version log per (location, client).

A stored version with credit that expires carries `expiring_credit: true` and the last day of
its first-expiring lot (`next_credit_expiry_on`, a date: the same whatever the location's zone);
one without carries neither. The sweeper asks for the versions with expiring credit whose day
has ended somewhere on Earth, then judges each client's latest state with its location's zone
in force, so a zone that arrives or changes later is used at once, without rewriting anything.

FerretDB v1 sends PostgreSQL only the top-level equality `expiring_credit: true` (a GIN index
in deploy/local/postgres/ferretdb-indexes.sql); the day's range runs in Go over those versions
alone: the latest of each client with expiring credit, and the superseded ones the compactor
has not deleted yet. MongoDB serves both from the compound index. Versions stored before this
field: `python -m shared.migrations.credit_expiry_index` (docs/bounded-storage.md).
"""

from collections.abc import Callable
from datetime import datetime, tzinfo

from pymongo.asynchronous.database import AsyncDatabase

from services.credits.domain.aggregate import ClientCredits
from shared.aggregates.store import AggregateStore
from shared.aggregates.compaction import Retention
from shared.aggregates.unit_of_work import Kind
from shared.aggregates.versions import Publish
from shared.zones import last_day_ended_anywhere

Zones = Callable[[str], tzinfo]  # location_id -> its zone in force


def expiry_index(aggregate: ClientCredits) -> dict:
    """What each version carries for the sweeper: its owner, and only if credit expires, the flag
    the sweeper finds it by and its first-expiring lot's day."""
    day = aggregate.next_credit_expiry_day()
    expiring = {"expiring_credit": True, "next_credit_expiry_on": day.isoformat()} if day else {}
    return {"location_id": aggregate.location_id, "client_id": aggregate.client_id, **expiring}


CLIENT_CREDITS = Kind(new=ClientCredits.new, load=ClientCredits.from_document, index=expiry_index)


class CreditsStore:
    def __init__(self, db: AsyncDatabase, publish: Publish, now: Callable[[], datetime],
                 retention: Retention = Retention()) -> None:
        self._docs = db["client_credits"]
        self.aggregates = AggregateStore(self._docs, CLIENT_CREDITS, publish, now, retention=retention)

    async def ensure_indexes(self) -> None:
        await self.aggregates.ensure_indexes()
        await self._docs.create_index([("expiring_credit", 1), ("next_credit_expiry_on", 1)])

    async def due_for_expiry(self, now: datetime, zones: Zones) -> list[tuple[str, str]]:
        """Clients whose latest state has credit due to expire in their location's zone (superseded
        versions may match too: the set is checked against the latest state before anything changes)."""
        owners = await self._owners({"expiring_credit": True,
                                     "next_credit_expiry_on": {"$lte": last_day_ended_anywhere(now).isoformat()}})
        due = []
        for owner in sorted(owners):
            aggregate = await self.aggregates.load(*owner)
            expiry = aggregate.next_credit_expiry(zones(owner[0])) if aggregate else None
            if expiry is not None and expiry <= now:
                due.append(owner)
        return due

    async def _owners(self, query: dict) -> set[tuple[str, str]]:
        cursor = self._docs.find(query, {"location_id": 1, "client_id": 1})
        return {(d["location_id"], d["client_id"]) async for d in cursor}
