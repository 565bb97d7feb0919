"""Where the bookings service keeps its aggregates: a version log per (location, client), each
version carrying the lifecycle events it must publish (see shared.wiring.aggregates)."""

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from services.bookings.domain.aggregate import ClientBookings
from shared.wiring.aggregates import AggregateStore, Decision, Publish, Retention

Change = Callable[[ClientBookings], list[BaseModel]]


def aggregate_key(location_id: str, client_id: str) -> str:
    return f"{location_id}|{client_id}"


class BookingsStore:
    def __init__(self, db: AsyncDatabase, publish: Publish, now: Callable[[], datetime],
                 retention: Retention = Retention()) -> None:
        self.aggregates = AggregateStore(db["client_bookings"], publish, now, retention=retention)

    async def ensure_indexes(self) -> None:
        await self.aggregates.ensure_indexes()

    async def change(self, location_id: str, client_id: str, change: Change) -> None:
        await self.aggregates.execute(aggregate_key(location_id, client_id),
                                      _deciding((location_id, client_id), change))

    async def change_many(self, changes: dict[tuple[str, str], Change]) -> None:
        """One change to each of many clients' aggregates (see AggregateStore.execute_batch)."""
        await self.aggregates.execute_batch(
            {aggregate_key(*owner): _deciding(owner, change) for owner, change in changes.items()})

    async def load(self, location_id: str, client_id: str) -> ClientBookings | None:
        loaded = await self.aggregates.load(aggregate_key(location_id, client_id))
        return ClientBookings.from_document(loaded.state) if loaded.state else None


def _deciding(owner: tuple[str, str], change: Change):
    """The store's decision function around a domain change (re-run from scratch on a retry)."""

    def decide(state: dict | None) -> Decision:
        aggregate = ClientBookings.from_document(state) if state else ClientBookings.new(*owner)
        events = change(aggregate)
        return Decision(aggregate.to_document(), [e.model_dump(mode="json") for e in events])

    return decide
