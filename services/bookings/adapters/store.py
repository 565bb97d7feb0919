"""Where the bookings service keeps its aggregates: a version log per (location, client), each
version carrying the lifecycle events it must publish (shared.aggregates.store)."""

from collections.abc import Callable
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from services.bookings.domain.aggregate import ClientBookings
from shared.aggregates.store import AggregateStore
from shared.aggregates.compaction import Retention
from shared.aggregates.unit_of_work import Kind
from shared.aggregates.versions import Publish

CLIENT_BOOKINGS = Kind(new=ClientBookings.new, load=ClientBookings.from_document)


def client_bookings(db: AsyncDatabase, publish: Publish, now: Callable[[], datetime],
                    retention: Retention = Retention()) -> AggregateStore[ClientBookings]:
    return AggregateStore(db["client_bookings"], CLIENT_BOOKINGS, publish, now, retention=retention)
