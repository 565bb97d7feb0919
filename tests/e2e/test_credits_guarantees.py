"""What must hold whatever happens: credit expires on time, nothing goes below zero under races
and rebalances, and replaying the topics changes nothing."""

import asyncio
import json
import os
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from shared.contract.topics import BOOKINGS, CREDITS, SALES
from tests.conftest import START_OFFSETS, auth, consumer_groups
from tests.e2e.test_credits_flow import NEXT_MONTH, package_when
from tests.support import events as ev
from tests.support.kafka import eventually, read_topic, rewind_groups
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.e2e


def _credits_events(servers, client: str, type_: str):
    async def probe():
        records = await read_topic(servers.kafka, CREDITS.name, lambda r: r.key == client.encode(), timeout=3)
        return [e for e in map(lambda r: json.loads(r.value), records) if e["type"] == type_]

    return probe


async def test_unused_account_credit_expires_when_its_day_ends(system, platform, servers, time_travel):
    location, client = ev.unique("loc"), ev.unique("cli")
    tomorrow = date.today() + timedelta(days=1)
    await platform.publish(SALES.name, ev.account_transaction(location, client, "credit", 2000,
                                                              credit_expires_on=tomorrow.isoformat()))
    await platform.publish(SALES.name, ev.account_transaction(location, client, "charge", -500))
    await eventually(lambda: _two_entries(servers, client))

    time_travel(datetime.combine(tomorrow + timedelta(days=1), datetime.min.time(), UTC) + timedelta(minutes=1))
    expired = await eventually(lambda: _expired(servers, client))

    assert expired and expired[0]["amount_minor"] == -1500 and expired[0]["balance_after_minor"] == 0


async def _two_entries(servers, client):
    return len(await _credits_events(servers, client, "account.entry_recorded")()) >= 2


async def _expired(servers, client):
    entries = await _credits_events(servers, client, "account.entry_recorded")()
    return [e for e in entries if e["entry_type"] == "Credit Expired"]


async def test_credit_already_past_its_expiry_expires_at_once(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    await platform.publish(SALES.name, ev.account_transaction(location, client, "credit", 800, credit_expires_on=yesterday))

    expired = await eventually(lambda: _expired(servers, client))

    assert expired[0]["amount_minor"] == -800 and expired[0]["balance_after_minor"] == 0


async def test_http_deductions_racing_kafka_bookings_never_overdraw(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(SALES.name, ev.package_purchased(location, client, "five", credits=5))
    assert await package_when(system, location, client, "five", lambda p: True)
    path = f"{system['credits'].url}/v1/locations/{location}/clients/{client}/packages/five/adjustments"

    async with httpx.AsyncClient() as http:
        bookings = [platform.publish(BOOKINGS.name, ev.booking_created(location, client, f"b-{i}", NEXT_MONTH))
                    for i in range(5)]
        deductions = [http.post(path, json={"action": "deduct", "credits": 1}, headers=auth()) for _ in range(5)]
        results = await asyncio.gather(*bookings, *deductions)
    deducted = sum(1 for r in results[5:] if r.status_code == 200)
    refused = sum(1 for r in results[5:] if r.status_code == 409)

    package = await package_when(system, location, client, "five",
                                 lambda p: p["total"] == 5 - deducted and p["booked"] + deducted == 5)
    assert deducted + refused == 5
    assert package and package["available"] == 0


async def test_a_second_instance_joining_and_dying_mid_stream_doubles_nothing(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(SALES.name, ev.package_purchased(location, client, "fifty", credits=50))
    assert await package_when(system, location, client, "fifty", lambda p: True)
    twin = ServiceProcess("credits", system["credits"].port + 10, system["credits"].env, system["credits"].log_path.with_suffix(".twin.log"))

    twin.start(wait=False)
    for i in range(80):
        await platform.publish(BOOKINGS.name, ev.booking_created(location, client, f"b-{i}", NEXT_MONTH))
        if i == 40:
            twin.kill_hard()

    package = await package_when(system, location, client, "fifty", lambda p: p["booked"] == 50, timeout=60)
    outcomes = await _outcomes(servers, client)
    assert package and package["available"] == 0
    assert len(outcomes) == 80 and all(len(kinds) == 1 for kinds in outcomes.values())
    assert sum(1 for kinds in outcomes.values() if kinds == {"credit.reserved"}) == 50


async def _outcomes(servers, client) -> dict[str, set[str]]:
    records = await read_topic(servers.kafka, CREDITS.name, lambda r: r.key == client.encode())
    outcomes: dict[str, set[str]] = {}
    for event in map(lambda r: json.loads(r.value), records):
        if event["type"] in ("credit.reserved", "credit.rejected"):
            outcomes.setdefault(event["booking_id"], set()).add(event["type"])
    return outcomes


async def test_replaying_the_topics_from_the_start_changes_nothing(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(SALES.name, ev.package_purchased(location, client, "pack", credits=10))
    assert await package_when(system, location, client, "pack", lambda p: True)
    for i in range(3):
        await platform.publish(BOOKINGS.name, ev.booking_created(location, client, f"b-{i}", NEXT_MONTH))
    await platform.publish(BOOKINGS.name, ev.booking_cancelled(location, client, "b-0", late=False))
    before = await package_when(system, location, client, "pack", lambda p: p["booked"] == 2)
    published_before = len(await read_topic(servers.kafka, CREDITS.name, lambda r: r.key == client.encode()))

    groups = consumer_groups(os.environ["E2E_GROUP_PREFIX"], "credits")
    system["credits"].stop()
    await rewind_groups(servers.kafka, groups, {group: START_OFFSETS[group] for group in groups})
    system["credits"].start()
    await platform.publish(SALES.name, ev.package_purchased(location, client, "marker", credits=1))
    assert await package_when(system, location, client, "marker", lambda p: True, timeout=120)

    after = await package_when(system, location, client, "pack", lambda p: True)
    published_after = await read_topic(servers.kafka, CREDITS.name, lambda r: r.key == client.encode())
    assert after == before
    assert len(published_after) == published_before + 1  # only the marker's package.changed
