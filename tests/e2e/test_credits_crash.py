"""A kill -9 of the credits service mid-stream loses nothing and counts nothing twice."""

import asyncio
import json
from collections import defaultdict

import pytest

from shared.contract.topics import BOOKINGS, CREDITS, SALES
from tests.e2e.test_credits_flow import NEXT_MONTH, package_when
from tests.support import events as ev
from tests.support.kafka import read_topic

pytestmark = pytest.mark.e2e

BOOKINGS_SENT = 120


async def test_killing_credits_mid_stream_loses_no_booking_and_doubles_none(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(SALES.name, ev.package_purchased(location, client, "big", credits=200))
    assert await package_when(system, location, client, "big", lambda p: True)
    for i in range(BOOKINGS_SENT):
        await platform.publish(BOOKINGS.name, ev.booking_created(location, client, f"b-{i}", NEXT_MONTH))

    await asyncio.sleep(0.5)  # let it get part-way through the stream
    system["credits"].kill_hard()
    system["credits"].start()

    package = await package_when(system, location, client, "big", lambda p: p["booked"] == BOOKINGS_SENT, timeout=60)
    reservations = await _reservations(servers, client)

    assert package and (package["available"], package["booked"]) == (200 - BOOKINGS_SENT, BOOKINGS_SENT)
    assert len(reservations) == BOOKINGS_SENT
    assert all(len(event_ids) == 1 for event_ids in reservations.values()), "a booking was reserved twice"


async def _reservations(servers, client) -> dict[str, set[str]]:
    records = await read_topic(servers.kafka, CREDITS.name,
                               lambda r: r.key == client.encode() and b"credit.reserved" in r.value)
    by_booking: dict[str, set[str]] = defaultdict(set)
    for record in records:
        event = json.loads(record.value)
        by_booking[event["booking_id"]].add(event["event_id"])
    return by_booking
