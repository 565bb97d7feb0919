"""What another instance stored a moment ago, learnt before this one judges an event by it."""

from datetime import UTC, datetime

import pytest

from services.notifier.service_layer.catalog import Catalog
from services.notifier.adapters.store import NotifierStore
from shared.contract.locations import LocationRegistered
from shared.wiring.locations import LocationBook
from shared.zones import zone

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 1, tzinfo=UTC)


async def test_a_location_another_instance_registered_is_known_before_its_events_are_judged(db):
    mine, theirs = LocationBook(db["locations"]), LocationBook(db["locations"])
    await theirs.apply([LocationRegistered(event_id="e-1", occurred_at=AT, location_id="l-1", name="Baker Island",
                                           time_zone="Etc/GMT+12")])

    await mine.learn(["l-1"])

    assert mine.zone("l-1") == zone("Etc/GMT+12")


async def test_a_journey_another_instance_defined_is_known_before_members_are_judged(db):
    mine, theirs = Catalog(NotifierStore(db)), NotifierStore(db)
    await theirs.insert_new("journeys", {"_id": "jrn-1", "name": "Reminder", "audience_id": "owing-balance",
                                         "steps": [{"after": "PT1H", "template_id": "tpl-1"}]})

    await mine.learn()

    assert [j.id for j in mine.journeys_of("owing-balance")] == ["jrn-1"]
