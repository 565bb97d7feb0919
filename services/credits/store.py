"""Where the credits service keeps its aggregates: a version log per (location, client).

Each stored version carries the last day of its first-expiring credit lot (`next_credit_expiry_on`,
a date: the same whatever the location's zone). The sweeper asks for the versions whose day has
ended somewhere on Earth, then judges each client with its location's zone in force, so a zone
that arrives or changes later is used at once, without rewriting anything.
"""

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from services.credits.domain.aggregate import ClientCredits
from shared.wiring.aggregates import AggregateStore, Decision, Publish
from shared.zones import last_day_ended_anywhere

Zones = Callable[[str], tzinfo]  # location_id -> its zone in force
LEGACY_LEAD = timedelta(hours=14)  # versions before zones stored the UTC end of the day (UTC+14 ends 14 h sooner)

Change = Callable[[ClientCredits], list[BaseModel]]


def aggregate_key(location_id: str, client_id: str) -> str:
    return f"{location_id}|{client_id}"


class CreditsStore:
    def __init__(self, db: AsyncDatabase, publish: Publish, now: Callable[[], datetime]) -> None:
        self._docs = db["client_credits"]
        self.aggregates = AggregateStore(self._docs, publish, now)

    async def ensure_indexes(self) -> None:
        await self.aggregates.ensure_indexes()
        await self._docs.create_index([("next_credit_expiry_on", 1)])

    async def change(self, location_id: str, client_id: str, change: Change) -> tuple[ClientCredits, list]:
        """Apply `change` to the client's aggregate atomically; returns the new state and events."""
        outcome: dict = {}
        await self.aggregates.execute(aggregate_key(location_id, client_id),
                                      _deciding((location_id, client_id), change, outcome))
        return outcome["aggregate"], outcome["events"]

    async def change_many(self, changes: dict[tuple[str, str], Change]) -> None:
        """Apply one change to each of many clients' aggregates (see AggregateStore.execute_batch)."""
        await self.aggregates.execute_batch(
            {aggregate_key(*owner): _deciding(owner, change, {}) for owner, change in changes.items()})

    async def due_for_expiry(self, now: datetime, zones: Zones) -> list[tuple[str, str]]:
        """Clients whose latest state has credit due to expire in their location's zone (older
        versions may match too: the set is checked against the latest state before anything changes)."""
        owners = await self._owners({"next_credit_expiry_on": {"$lte": last_day_ended_anywhere(now).isoformat()}})
        owners |= await self._owners({"next_credit_expiry": {"$lte": now + LEGACY_LEAD}})
        due = []
        for owner in sorted(owners):
            aggregate = await self.load(*owner)
            expiry = aggregate.next_credit_expiry(zones(owner[0])) if aggregate else None
            if expiry is not None and expiry <= now:
                due.append(owner)
        return due

    async def _owners(self, query: dict) -> set[tuple[str, str]]:
        cursor = self._docs.find(query, {"location_id": 1, "client_id": 1})
        return {(d["location_id"], d["client_id"]) async for d in cursor}

    async def load(self, location_id: str, client_id: str) -> ClientCredits | None:
        loaded = await self.aggregates.load(aggregate_key(location_id, client_id))
        return ClientCredits.from_document(loaded.state) if loaded.state else None


def _deciding(owner: tuple[str, str], change: Change, outcome: dict):
    """The store's decision function around a domain change (re-run from scratch on a retry)."""

    def decide(state: dict | None) -> Decision:
        aggregate = ClientCredits.from_document(state) if state else ClientCredits.new(*owner)
        events = change(aggregate)
        outcome["aggregate"], outcome["events"] = aggregate, events
        return stored(aggregate, events)

    return decide


def stored(aggregate: ClientCredits, events: list) -> Decision:
    """What the store keeps of a decision: the state, the events, and the sweeper's due date."""
    day = aggregate.next_credit_expiry_day()
    index = {"location_id": aggregate.location_id, "client_id": aggregate.client_id,
             "next_credit_expiry_on": day.isoformat() if day else None}
    return Decision(aggregate.to_document(), [e.model_dump(mode="json") for e in events], index)
