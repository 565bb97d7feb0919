"""Where the credits service keeps its aggregates: a version log per (location, client).

Each stored version carries the last day of its first-expiring credit lot (`next_credit_expiry_on`,
a date: the same whatever the location's zone). The sweeper asks for the versions whose day has
ended somewhere on Earth, then judges each client with its location's zone in force, so a zone
that arrives or changes later is used at once, without rewriting anything.
"""

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from pymongo.asynchronous.database import AsyncDatabase

from services.credits.domain.aggregate import ClientCredits
from shared.wiring.aggregates import AggregateStore
from shared.wiring.unit_of_work import Kind
from shared.wiring.versions import Publish
from shared.zones import last_day_ended_anywhere

Zones = Callable[[str], tzinfo]  # location_id -> its zone in force
LEGACY_LEAD = timedelta(hours=14)  # versions before zones stored the UTC end of the day (UTC+14 ends 14 h sooner)


def expiry_index(aggregate: ClientCredits) -> dict:
    """What each version carries for the sweeper: its owner and its first-expiring lot's day."""
    day = aggregate.next_credit_expiry_day()
    return {"location_id": aggregate.location_id, "client_id": aggregate.client_id,
            "next_credit_expiry_on": day.isoformat() if day else None}


CLIENT_CREDITS = Kind(new=ClientCredits.new, load=ClientCredits.from_document, index=expiry_index)


class CreditsStore:
    def __init__(self, db: AsyncDatabase, publish: Publish, now: Callable[[], datetime]) -> None:
        self._docs = db["client_credits"]
        self.aggregates = AggregateStore(self._docs, CLIENT_CREDITS, publish, now)

    async def ensure_indexes(self) -> None:
        await self.aggregates.ensure_indexes()
        await self._docs.create_index([("next_credit_expiry_on", 1)])

    async def due_for_expiry(self, now: datetime, zones: Zones) -> list[tuple[str, str]]:
        """Clients whose latest state has credit due to expire in their location's zone (older
        versions may match too: the set is checked against the latest state before anything changes)."""
        owners = await self._owners({"next_credit_expiry_on": {"$lte": last_day_ended_anywhere(now).isoformat()}})
        owners |= await self._owners({"next_credit_expiry": {"$lte": now + LEGACY_LEAD}})
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
