"""Locations through the real system: a studio's name on every report row, every date rule in its
own day, and a bad time zone dead-lettered once with a reason naming the field."""

import csv
import io
import json
import os
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.contract.topics import BOOKINGS, CLIENTS, CREDITS, LOCATIONS, SALES
from tests.conftest import auth, consumer_groups
from tests.support import events as ev
from tests.support.kafka import end_offsets_of, eventually, group_offsets, read_topic

pytestmark = pytest.mark.e2e

ZONE = "Etc/GMT+12"  # UTC-12: its day ends twelve hours after the UTC day
# 06:00 UTC on 1 December is 18:00 on 30 November there.
NOW = datetime(2026, 12, 1, 6, tzinfo=UTC)
TODAY_THERE = "2026-11-30"


async def reports(system, path: str, **params) -> httpx.Response:
    async with httpx.AsyncClient(base_url=system["reports"].url, timeout=10) as http:
        return await http.get(path, params=params, headers=auth())


async def every_service_knows_the_locations(servers) -> bool:
    """Each consumer of studio.locations.v1 has committed its end: the zone is in force everywhere."""
    groups = {g: t for g, t in consumer_groups(os.environ["E2E_GROUP_PREFIX"]).items() if t == LOCATIONS.name}
    ends = await end_offsets_of(servers.kafka, LOCATIONS.name)
    committed = await group_offsets(servers.kafka, groups)
    return all(committed[g].get(p, 0) >= end for g in groups for p, end in ends.items())


async def register(platform, servers, event: dict) -> None:
    await platform.publish(LOCATIONS.name, event, key=event["location_id"])
    assert await eventually(lambda: every_service_knows_the_locations(servers), timeout=30)


async def package_row(system, location: str) -> dict | None:
    body = (await reports(system, "/v1/reports/session-credits-remaining", location=location)).json()
    return body["items"][0] if body.get("items") else None


async def test_a_pack_expiring_today_locally_serves_a_late_evening_session_and_reports_name_the_studio(
        system, platform, servers, time_travel):
    location, client = ev.unique("zone-loc"), ev.unique("cli")
    time_travel(NOW)
    await register(platform, servers, ev.location_registered(location, name="Baker Island Studio", time_zone=ZONE))
    await platform.publish(CLIENTS.name, ev.client_registered(location, client))
    await platform.publish(SALES.name, ev.package_purchased(location, client, "pack-5", credits=5,
                                                            starts_on="2026-11-01", expires_on=TODAY_THERE))
    assert await eventually(lambda: package_row(system, location))
    # 23:00 on 30 November there is 11:00 UTC on 1 December: in UTC it would be past the pack's last day.
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "late-class",
                                                             "2026-11-30T23:00:00-12:00"))

    reserved = await read_topic(servers.kafka, CREDITS.name,
                                lambda r: r.key == client.encode() and b'"late-class"' in r.value)
    row = await eventually(lambda: _row_when(system, location, lambda r: r["credits_used"] == 1))

    assert [json.loads(r.value)["type"] for r in reserved][0] == "credit.reserved"
    assert (row["location_name"], row["status"], row["credits_remaining"]) == ("Baker Island Studio", "active", 4)
    expiring = (await reports(system, "/v1/reports/session-credits-remaining", location=location,
                              expiring_within_days=0)).json()["items"]
    assert [r["package_id"] for r in expiring] == ["pack-5"]
    exported = await reports(system, "/v1/reports/session-credits-remaining", location=location, format="csv",
                             columns="location_id,location_name,package_id,status")
    assert list(csv.reader(io.StringIO(exported.text)))[1] == [location, "Baker Island Studio", "pack-5", "active"]

    await register(platform, servers, ev.location_updated(location, name="Howland Studio"))
    renamed = await eventually(lambda: _row_when(system, location, lambda r: r["location_name"] == "Howland Studio"))
    assert renamed["status"] == "active"

    time_travel(NOW + timedelta(hours=6))  # 00:00 on 1 December there: the pack's last day is over
    expired = await eventually(lambda: _row_when(system, location, lambda r: r["status"] == "expired",
                                                 include_expired="true"))
    assert expired["package_id"] == "pack-5"


async def _row_when(system, location: str, condition, **params) -> dict | None:
    body = (await reports(system, "/v1/reports/session-credits-remaining", location=location, **params)).json()
    rows = [r for r in body.get("items", []) if condition(r)]
    return rows[0] if rows else None


async def test_account_credit_expires_at_the_end_of_the_studios_own_day(system, platform, servers, time_travel):
    location, client = ev.unique("zone-loc"), ev.unique("cli")
    time_travel(NOW)
    await register(platform, servers, ev.location_registered(location, name="Baker Island Studio", time_zone=ZONE))
    await platform.publish(SALES.name, ev.account_transaction(location, client, "credit", 2000, occurred_at=NOW.isoformat(),
                                                              credit_expires_on=TODAY_THERE))
    assert await eventually(lambda: _entries(servers, client))

    last_minute = datetime(2026, 12, 1, 11, 59, tzinfo=UTC)  # 23:59 there: still its last day
    time_travel(last_minute)  # the events happen on the test's clock too, not the wall's
    await platform.publish(SALES.name, ev.account_transaction(location, client, "charge", -500,
                                                              occurred_at=last_minute.isoformat()))
    assert await eventually(lambda: _entries(servers, client, 2))
    time_travel(datetime(2026, 12, 1, 12, 1, tzinfo=UTC))
    entries = await eventually(lambda: _entries(servers, client, 3))

    assert [(e["entry_type"], e["amount_minor"]) for e in entries] == [("Credit", 2000), ("Charge", -500),
                                                                      ("Credit Expired", -1500)]
    assert entries[2]["at"] in ("2026-12-01T12:00:00Z", "2026-12-01T12:00:00+00:00")


async def _entries(servers, client: str, count: int = 1) -> list[dict] | None:
    records = await read_topic(servers.kafka, CREDITS.name,
                               lambda r: r.key == client.encode() and b"account.entry_recorded" in r.value, timeout=5)
    entries = sorted((json.loads(r.value) for r in records), key=lambda e: e["sequence"])
    unique = list({e["sequence"]: e for e in entries}.values())
    return unique if len(unique) >= count else None


async def test_a_time_zone_that_is_not_an_iana_name_is_dead_lettered_once_and_the_next_event_applies(
        system, platform, servers):
    location = ev.unique("zone-loc")
    bad = ev.location_registered(location, name="Olympus Studio", time_zone="Mars/Olympus_Mons")
    await platform.publish(LOCATIONS.name, bad, key=location)
    await register(platform, servers, ev.location_registered(location, name="Athens Studio", time_zone="Europe/Athens"))

    dead = await read_topic(servers.kafka, LOCATIONS.dead_letter, lambda r: bad["event_id"].encode() in r.value)
    names = (await reports(system, "/v1/me")).json()["location_names"]

    assert len(dead) == 1  # by the gatekeeper (credits) only; reports and the notifier skip it
    reason = dict(dead[0].headers)["x-error"].decode()
    assert "time_zone" in reason and "IANA" in reason
    assert names[location] == "Athens Studio"
