"""The credits service's copy of the locations, and credit expiry judged in the zone in force,
against the real database."""

from datetime import UTC, date, datetime

import pytest

from services.credits.service_layer.handlers import CreditsHandlers
from services.credits.adapters.store import CreditsStore
from shared.migrations.credit_expiry_index import migrate
from shared.contract.locations import LocationRegistered, LocationUpdated
from shared.contract.sales import AccountTransaction
from shared.wiring.clock import ManualClock
from shared.wiring.locations import LocationBook
from shared.zones import zone

pytestmark = pytest.mark.integration

T0 = datetime(2026, 6, 30, 9, tzinfo=UTC)


def registered(zone_name: str, at: datetime = T0) -> LocationRegistered:
    return LocationRegistered(event_id=f"loc-{at.timestamp()}", occurred_at=at, location_id="east",
                              name="Kiritimati", time_zone=zone_name)


async def test_a_zone_stored_by_one_instance_reaches_another_on_refresh(db):
    here, there = LocationBook(db["locations"]), LocationBook(db["locations"])

    await here.apply([registered("Pacific/Kiritimati")])
    assert there.zone("east") is UTC
    await there.refresh()

    assert there.zone("east") is zone("Pacific/Kiritimati") and there.record("east")["name"] == "Kiritimati"


async def test_two_instances_writing_in_either_order_keep_the_latest_value_of_each_field(db):
    first, second = LocationBook(db["locations"]), LocationBook(db["locations"])
    rename = LocationUpdated(event_id="e-2", occurred_at=datetime(2026, 7, 1, tzinfo=UTC), location_id="east",
                             name="Christmas Island")

    await first.apply([rename])
    await second.apply([registered("Pacific/Kiritimati")])  # older, delivered late
    await first.refresh()

    assert (first.record("east")["name"], first.record("east")["time_zone"]) == ("Christmas Island",
                                                                                 "Pacific/Kiritimati")


async def test_credit_expires_at_the_end_of_its_day_in_the_zone_in_force(db):
    clock = ManualClock(T0)
    published: list[dict] = []

    async def publish(events: list[dict]) -> None:
        published.extend(events)

    store, locations = CreditsStore(db, publish, clock.now), LocationBook(db["locations"])
    await store.ensure_indexes()
    handlers = CreditsHandlers(store, clock, locations)
    await handlers.apply_batch([AccountTransaction(
        event_id="tx-1", occurred_at=T0, location_id="east", client_id="c-1", transaction_id="tx-1", kind="credit",
        amount_minor=2000, currency="USD", credit_expires_on=date(2026, 6, 30))])

    clock.set(datetime(2026, 6, 30, 10, 30, tzinfo=UTC))  # 00:30 on 1 July in Kiritimati, 30 June in UTC
    assert await handlers.expire_due_credit() == 0  # the zone is not known yet: UTC's 30 June goes on
    await locations.apply([registered("Pacific/Kiritimati")])
    assert await handlers.expire_due_credit() == 1

    [expired] = [e for e in published if e.get("entry_type") == "Credit Expired"]
    assert expired["at"] == "2026-06-30T10:00:00Z"
    assert await handlers.expire_due_credit() == 0


# As versions were stored before the sweeper's index: before zones, the UTC end of the day and no
# day; after zones, the day without the `expiring_credit` flag the sweeper now asks for.
BEFORE_ZONES = {"$unset": {"next_credit_expiry_on": "", "expiring_credit": ""},
                "$set": {"next_credit_expiry": datetime(2026, 7, 1, tzinfo=UTC)}}
BEFORE_THE_FLAG = {"$unset": {"expiring_credit": ""}}


@pytest.mark.parametrize("old_shape", [BEFORE_ZONES, BEFORE_THE_FLAG], ids=["before zones", "before the flag"])
async def test_a_version_stored_the_old_way_expires_on_time_once_migrated(db, old_shape):
    clock = ManualClock(T0)

    async def publish(events: list[dict]) -> None:
        pass

    store, locations = CreditsStore(db, publish, clock.now), LocationBook(db["locations"])
    handlers = CreditsHandlers(store, clock, locations)
    await locations.apply([registered("Pacific/Kiritimati")])
    await handlers.apply_batch([AccountTransaction(
        event_id="tx-1", occurred_at=T0, location_id="east", client_id="c-1", transaction_id="tx-1", kind="credit",
        amount_minor=2000, currency="USD", credit_expires_on=date(2026, 6, 30))])
    await db["client_credits"].update_many({}, old_shape)
    due_at = datetime(2026, 6, 30, 10, 30, tzinfo=UTC)
    assert await store.due_for_expiry(due_at, locations.zone) == []  # the sweeper asks for the flag only

    assert await migrate(db["client_credits"]) == 1 and await migrate(db["client_credits"]) == 0

    assert await store.due_for_expiry(due_at, locations.zone) == [("east", "c-1")]
    [latest] = await db["client_credits"].find().to_list()
    assert "next_credit_expiry" not in latest and latest["next_credit_expiry_on"] == "2026-06-30"
