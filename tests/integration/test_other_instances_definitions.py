"""What another instance stored a moment ago, learnt before this one judges an event by it (what
another notifier defined comes on its member feed: tests/integration/test_member_feed.py)."""

from datetime import UTC, datetime

import pytest

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

