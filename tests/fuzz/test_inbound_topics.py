"""A hostile batch on every inbound topic of the running system: no consumer stops, every bad
message is dead-lettered with a reason, and the good events in between are applied.

Hypothesis draws the bad messages (garbage bytes, JSON of every shape, events with fields of the
wrong type or missing, unknown types, megabyte strings, nesting Python cannot parse); they are
shuffled among valid events that arrive in awkward orders (a charge before the payment that
covers it, redeliveries, an ending for a booking never made). `studio.credits.v1` has no
gatekeeper (the credits service owns it; its readers skip what they cannot read), so there only
liveness and the good events are checked.
"""

import json
import random
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from shared.contract.topics import BOOKINGS, CLIENTS, CREDITS, LOCATIONS, SALES
from tests.conftest import auth
from tests.fuzz.test_inbound_decoding import garbage, judge, mutated_events
from tests.support import events as ev
from tests.support.kafka import Platform, end_offsets_of, eventually

pytestmark = pytest.mark.e2e

BAD_PER_TOPIC = 60
HUGE = 1_000_000  # under the broker's default 1 MiB message limit, far over ours
IN_A_MONTH = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()


def bad_messages(topic: str) -> st.SearchStrategy[list[bytes]]:
    """Messages the decoding layer refuses (the unit fuzz proves garbage always is)."""
    refused_events = mutated_events(topic).filter(lambda value: judge(topic, value) is not None)
    sendable = st.one_of(garbage(), refused_events).filter(lambda value: len(value) < 900_000)
    return st.lists(sendable, min_size=BAD_PER_TOPIC, max_size=BAD_PER_TOPIC)


def accepted_messages(topic: str) -> st.SearchStrategy[list[bytes]]:
    """Mangled events the contract still accepts: odd but valid, applied or refused by a rule."""
    return st.lists(mutated_events(topic).filter(lambda value: judge(topic, value) is None), max_size=10)


def huge(topic: str) -> list[bytes]:
    event = {"type": "client.registered" if topic == CLIENTS.name else "package.purchased", "first_name": "x"}
    return [json.dumps({**event, "note": "x" * HUGE}).encode(), b'"' + b"y" * HUGE + b'"']


class Scenario:
    """The good events: one client with a pack and a balance reached through awkward orders."""

    def __init__(self) -> None:
        self.location, self.client, self.other = ev.unique("fz-loc"), ev.unique("fz-cli"), ev.unique("fz-cli")
        loc, cli = self.location, self.client
        payment = ev.account_transaction(loc, cli, "payment", 5000)
        registered = ev.client_registered(loc, cli, first_name="Fuzzy", last_name="Survivor")
        self.before_bookings = [
            (LOCATIONS.name, ev.location_registered(loc, name="Fuzz Studio", time_zone="Asia/Tokyo")),
            (CLIENTS.name, registered), (CLIENTS.name, registered),  # a redelivery
            (SALES.name, ev.account_transaction(loc, cli, "charge", -2000)),  # before the payment covering it
            (SALES.name, payment), (SALES.name, payment),
            (SALES.name, ev.package_purchased(loc, cli, "fz-pack", credits=5)),
            (CREDITS.name, _package_changed(loc, self.other)),
        ]
        created = ev.booking_created(loc, cli, "fz-b1", IN_A_MONTH)
        self.ghost = ev.booking_fact("booking.attended", loc, cli, "fz-never-booked")
        self.bookings = [(BOOKINGS.name, self.ghost), (BOOKINGS.name, created), (BOOKINGS.name, created)]


def _package_changed(location: str, client: str) -> dict:
    """A snapshot as the credits service would publish it (this test stands in for it)."""
    return {"event_id": ev.unique("fz-pc"), "type": "package.changed", "occurred_at": datetime.now(UTC).isoformat(),
            "location_id": location, "client_id": client, "package_id": "fz-snap", "package_name": "snapshot",
            "version": 1, "credits_purchased": 7, "credits_adjusted": 0, "total": 7, "consumed": 0, "holds": [],
            "starts_on": "2026-01-01", "expires_on": None}


async def _publish_shuffled(platform: Platform, good: list, bad: dict[str, list[bytes]], seed: int) -> dict[str, set]:
    """Good events keep their order per topic; bad ones are mixed in anywhere. {topic: bad keys}."""
    messages = [(topic, value, f"fz-{seed}-{i}-{n}") for i, (topic, values) in enumerate(bad.items())
                for n, value in enumerate(values)]
    rng = random.Random(seed)
    rng.shuffle(messages)
    for topic, event in good:
        messages.insert(rng.randrange(len(messages) + 1), (topic, event, None))
    for topic, value, key in _keep_good_order(messages, good):
        await platform.publish(topic, value, key=key)
    keys = {topic: set() for topic in bad}
    for topic, _, key in messages:
        if key:
            keys[topic].add(key)
    return keys


def _keep_good_order(messages: list, good: list) -> list:
    slots = iter(good)
    return [(*next(slots), None) if k is None else (t, v, k) for t, v, k in messages]


async def _dead_letters(bootstrap: str, topic: str, start: dict[int, int], keys: set, timeout: float = 45) -> dict:
    """{key: headers} of the dead letters of `topic` since `start` whose key is one of `keys`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    found, deadline = {}, time.monotonic() + timeout
    try:
        partitions = [TopicPartition(f"{topic}.dlq", p) for p in start]
        consumer.assign(partitions)
        for tp in partitions:
            consumer.seek(tp, start[tp.partition])
        while time.monotonic() < deadline and not keys <= found.keys():
            batch = await consumer.getmany(timeout_ms=500)
            for record in (r for records in batch.values() for r in records):
                key = (record.key or b"").decode(errors="replace")
                if key in keys:
                    found[key] = {k: v.decode(errors="replace") for k, v in record.headers}
        return found
    finally:
        await consumer.stop()


async def _get(system, service: str, path: str, **params) -> dict:
    async with httpx.AsyncClient(base_url=system[service].url, timeout=10) as http:
        response = await http.get(path, params=params, headers=auth())
        return response.json() if response.status_code == 200 else {}


async def _package(system, location: str, client: str, package_id: str) -> dict | None:
    body = await _get(system, "reports", f"/v1/locations/{location}/clients/{client}/credits")
    return next((p for p in body.get("packages", []) if p["package_id"] == package_id), None)


async def _balance(system, location: str, client: str) -> int | None:
    body = await _get(system, "reports", "/v1/reports/account-balances", location=location)
    return next((row["balance_minor"] for row in body.get("items", []) if row["client_id"] == client), None)


@settings(max_examples=1, phases=[Phase.generate], deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_hostile_batches_stop_no_consumer_and_spare_the_good_events(system, servers, data):
    gatekept = (LOCATIONS.name, CLIENTS.name, SALES.name, BOOKINGS.name)
    bad = {topic: data.draw(bad_messages(topic), label=topic) + huge(topic) for topic in (*gatekept, CREDITS.name)}
    odd = [(topic, value) for topic in (*gatekept, CREDITS.name) for value in data.draw(accepted_messages(topic))]
    starts = {topic: await end_offsets_of(servers.kafka, f"{topic}.dlq") for topic in gatekept}
    instances = {proc.log_path.name: proc for service in system.values() for proc in service.each}
    logs = {name: proc.log_path.stat().st_size for name, proc in instances.items()}
    scenario, platform = Scenario(), Platform(servers.kafka)
    await platform.start()
    try:
        good = scenario.before_bookings + [(topic, json.loads(value)) for topic, value in odd]
        keys = await _publish_shuffled(platform, good, bad, seed=data.draw(st.integers(0, 9999)))
        assert await eventually(lambda: _package(system, scenario.location, scenario.client, "fz-pack"), timeout=40)
        for topic, event in scenario.bookings:
            await platform.publish(topic, event)
    finally:
        await platform.stop()

    for topic in gatekept:
        letters = await _dead_letters(servers.kafka, topic, starts[topic], keys[topic])
        assert keys[topic] == letters.keys(), f"{topic}: {len(keys[topic] - letters.keys())} bad messages not dead-lettered"
        assert all(h["x-error"].strip() and h["x-original-topic"] == topic for h in letters.values())
        assert sum(h["x-error"].startswith("too large") for h in letters.values()) == 2

    booked = await eventually(lambda: _booked(system, scenario), timeout=30)
    assert booked == 1
    assert await eventually(lambda: _balance(system, scenario.location, scenario.client), timeout=30) == 3000
    assert (await _package(system, scenario.location, scenario.other, "fz-snap"))["total"] == 7
    assert (await _get(system, "reports", "/v1/me"))["location_names"][scenario.location] == "Fuzz Studio"
    for name, proc in instances.items():  # both instances of every service
        assert proc.process.poll() is None, f"{name} exited"
        assert httpx.get(f"{proc.url}/health/ready", timeout=5).status_code == 200, f"{name} not ready"
        assert _errors_logged(proc.log_path, since=logs[name]) == [], f"{name} failed on a message"


def _errors_logged(path, since: int) -> list[str]:
    with path.open("rb") as log:
        log.seek(since)
        lines = log.read().decode(errors="replace").splitlines()
    return [line[:500] for line in lines if '"level": "error"' in line or line.startswith("Traceback")]


async def _booked(system, scenario: Scenario) -> int | None:
    package = await _package(system, scenario.location, scenario.client, "fz-pack")
    return package["booked"] if package and package["booked"] else None
