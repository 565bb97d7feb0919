"""The thin slice across everything: platform events in, staff reads out, bad input dead-lettered."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.contract.topics import BOOKINGS, CLIENTS, SALES
from tests.conftest import auth
from tests.support import events as ev
from tests.support.kafka import eventually, read_topic

pytestmark = pytest.mark.e2e

IN_A_MONTH = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()


async def _credits(system, location: str, client: str) -> dict:
    async with httpx.AsyncClient(base_url=system["reports"].url) as http:
        response = await http.get(f"/v1/locations/{location}/clients/{client}/credits", headers=auth())
        return response.json() if response.status_code == 200 else {}


async def _package_shows(system, location, client, package_id):
    async def probe():
        body = await _credits(system, location, client)
        return next((p for p in body.get("packages", []) if p["package_id"] == package_id), None)

    return await eventually(probe)


async def test_a_purchased_package_shows_in_the_clients_credits(system, platform):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(CLIENTS.name, ev.client_registered(location, client))
    await platform.publish(SALES.name, ev.package_purchased(location, client, "pack-10", credits=10))

    package = await _package_shows(system, location, client, "pack-10")

    assert package == {
        "package_id": "pack-10", "package_name": "10 class pack", "total": 10, "available": 10, "booked": 0,
        "used": 0, "starts_on": "2026-01-01", "expires_on": "2027-12-31", "status": "active", "adjustments": [],
    }


def _dead_letter_for(marker: str):
    return lambda record: marker.encode() in (record.value or b"")


@pytest.mark.parametrize("topic", [CLIENTS, SALES, BOOKINGS], ids=lambda t: t.name)
async def test_a_malformed_message_is_dead_lettered_and_the_next_one_still_applies(system, platform, servers, topic):
    location, client = ev.unique("loc"), ev.unique("cli")
    marker = ev.unique("broken")
    await platform.publish(topic.name, b'{"type": "package.purchased", "oops": "' + marker.encode() + b'"', key=client)
    await platform.publish(SALES.name, ev.package_purchased(location, client, "after-bad", credits=3))
    if topic is BOOKINGS:
        await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-1", IN_A_MONTH))

    dead = await read_topic(servers.kafka, topic.dead_letter, _dead_letter_for(marker))
    package = await _package_shows(system, location, client, "after-bad")

    headers = dict(dead[0].headers)
    assert headers["x-original-topic"] == topic.name.encode()
    assert b"not valid JSON" in headers["x-error"]
    assert {"x-original-partition", "x-original-offset"} <= headers.keys()
    assert package["total"] == 3
    if topic is BOOKINGS:
        booked = await eventually(lambda: _booked_count(system, location, client))
        assert booked == 1


async def _booked_count(system, location, client):
    body = await _credits(system, location, client)
    return sum(p["booked"] for p in body.get("packages", []))


async def test_an_event_of_unknown_type_is_dead_lettered_with_the_reason(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    event = {**ev.package_purchased(location, client, "p"), "type": "package.teleported"}
    await platform.publish(SALES.name, event)

    dead = await read_topic(servers.kafka, SALES.dead_letter, _dead_letter_for(event["event_id"]))

    reason = dict(dead[0].headers)["x-error"].decode()
    assert "invalid event" in reason and "package.teleported" in reason
    assert json.loads(dead[0].value)["event_id"] == event["event_id"]


async def test_a_package_with_no_credits_is_dead_lettered_naming_the_field(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    event = ev.package_purchased(location, client, "p", credits=0)
    await platform.publish(SALES.name, event)

    dead = await read_topic(servers.kafka, SALES.dead_letter, _dead_letter_for(event["event_id"]))

    assert "credits" in dict(dead[0].headers)["x-error"].decode()
