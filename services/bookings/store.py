"""Where the bookings service keeps its aggregates: a version log per (location, client), each
version carrying the lifecycle events it must publish (shared.wiring.aggregates)."""

from collections.abc import Callable
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from services.bookings.domain.aggregate import ClientBookings
from shared.wiring.aggregates import AggregateStore
from shared.wiring.compaction import Retention
from shared.wiring.unit_of_work import Kind
from shared.wiring.versions import Publish

CLIENT_BOOKINGS = Kind(new=ClientBookings.new, load=ClientBookings.from_document)


def client_bookings(db: AsyncDatabase, publish: Publish, now: Callable[[], datetime],
                    retention: Retention = Retention()) -> AggregateStore[ClientBookings]:
    return AggregateStore(db["client_bookings"], CLIENT_BOOKINGS, publish, now, retention=retention)
