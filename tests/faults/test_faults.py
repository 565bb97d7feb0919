"""Proof under fire: a 20,000-event run through two instances of every service (in the same
consumer groups) while one instance of each is killed with `kill -9` at a random moment and
restarted, the Kafka broker is restarted, the database server is killed and restarted, and the
PostgreSQL under it falls sick: it ends FerretDB's sessions mid-batch, turns
read-only for some seconds, and times statements out. At the end every report, history, booking
and audience equals an oracle: the pure domain logic (bookings, then credits) applied to the
same events in memory; no valid event is in any dead-letter topic. The run's figures (events,
faults of each kind, lost, double, dead-lettered valid, retries) go to
test-output/faults-figures.json (docs/failure-model.md).

The locations are registered first, in zones far from UTC and across daylight-saving rules
(Kiritimati +14, UTC-12, New York, London...), and the oracle judges every client in its
location's zone, as the services do. The mix is chosen so that the outcome does not depend on how
Kafka interleaves topics: every location is known before the first sale, every sale is applied
before the first booking is published, and no client books more than its pack
holds, so no answer depends on timing. Hostile parts are in it on purpose: exact redeliveries,
endings of bookings that already ended (refused by bookings), and a check-in per client.
"""

import asyncio
import json
import random
import re
import subprocess
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from services.bookings.domain.aggregate import ClientBookings
from services.credits.domain.aggregate import ClientCredits
from shared.contract import BOOKING_EVENTS, SALES_EVENTS
from shared.contract.topics import BOOKINGS, CLIENTS, CREDITS, LIFECYCLE, SALES
from shared.contract.topics import LOCATIONS as LOCATIONS_TOPIC
from shared.rules import RuleViolation
from shared.zones import zone
from tests.conftest import OUTPUT, auth, consumer_groups
from tests.support import events as ev
from tests.support.kafka import end_offsets_of, eventually, group_offsets
from tests.support.postgres import Postgres

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# In its own folder so that it runs after tests/e2e: the rebuild tests there replay the run's
# topics from its start, and this run's 20,000 events would make that replay take minutes.
SERVERS_SCRIPT = ROOT / "deploy" / "local" / "servers.sh"
CLIENTS_PER_LOCATION, LOCATIONS = 120, 10  # about 20,000 events in all
ZONES = ("Pacific/Kiritimati", "Etc/GMT+12", "America/New_York", "Europe/London", "Australia/Sydney",
         "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham", "America/St_Johns", "UTC")


def _locations(run: str) -> list[tuple[str, dict]]:
    """Every location of the run, registered with a name and its zone (keyed by location_id)."""
    return [(LOCATIONS_TOPIC.name, ev.location_registered(f"flt{run}-loc{n}", name=f"Studio {n}", time_zone=ZONES[n]))
            for n in range(LOCATIONS)]


def _mix(rnd: random.Random, run: str) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]]]:
    """(registrations and sales, bookings) in publishing order; about 17 events per client."""
    today = datetime.now(UTC).date()
    sales, bookings = [], []
    for n in range(CLIENTS_PER_LOCATION * LOCATIONS):
        location, client = f"flt{run}-loc{n % LOCATIONS}", f"flt{run}-c{n}"
        sales.append((CLIENTS.name, ev.client_registered(location, client, first_name=f"C{n}")))
        sales.append((SALES.name, ev.package_purchased(location, client, f"pk-{n}", credits=20,
                                                       starts_on=str(today - timedelta(days=30)),
                                                       expires_on=str(today + timedelta(days=180)))))
        if rnd.random() < 0.3:
            sales.append((SALES.name, ev.membership_started(location, client, f"m-{n}", starts_on=str(today),
                                                            credits_per_period=rnd.choice([8, None]))))
        for kind, amount in (("charge", -rnd.choice([1500, 2500, 4000])), ("payment", rnd.choice([1000, 2500])),
                             ("refund", rnd.choice([300, 500]))):
            sales.append((SALES.name, ev.account_transaction(location, client, kind, amount)))
        ended: list[str] = []
        for b in range(6):
            booking = f"b-{n}-{b}"
            starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=rnd.randint(2, 40), hours=b)
            bookings.append((BOOKINGS.name, ev.booking_created(location, client, booking, starts.isoformat())))
            ending = rnd.choice(["cancel", "late", "attended", "no_show", None])
            if ending in ("cancel", "late"):
                bookings.append((BOOKINGS.name, ev.booking_cancelled(location, client, booking, late=ending == "late")))
            elif ending:
                bookings.append((BOOKINGS.name, ev.booking_fact(f"booking.{ending}", location, client, booking)))
            if ending:
                ended.append(booking)
        checkin = {**ev.booking_fact("checkin.recorded", location, client, "unused"), "checkin_id": f"ci-{n}",
                   "at": datetime.now(UTC).isoformat()}
        checkin.pop("booking_id")
        bookings.append((BOOKINGS.name, checkin))
        if ended and rnd.random() < 0.2:  # an ending of a booking that already ended: refused
            bookings.append((BOOKINGS.name, ev.booking_fact("booking.attended", location, client, ended[0])))
    # Exact redeliveries, as Kafka may hand them over again.
    for part in (sales, bookings):
        for i in rnd.sample(range(len(part)), len(part) // 20):
            part.append(part[i])
    return sales, bookings


class Oracle:
    """The pure domains applied in memory, in the order each client's events were published, each
    client judged in its location's zone (as registered on `studio.locations.v1`)."""

    def __init__(self) -> None:
        self.credits: dict[tuple[str, str], ClientCredits] = {}
        self.bookings: dict[tuple[str, str], ClientBookings] = {}
        self.refused: set[str] = set()  # event ids a service rightly dead-letters
        self.zones: dict[str, object] = {}

    def zone_of(self, location_id: str):
        return self.zones.get(location_id, UTC)

    def apply(self, topic: str, event: dict, now: datetime) -> None:
        if topic == LOCATIONS_TOPIC.name:
            self.zones[event["location_id"]] = zone(event["time_zone"])
            return
        owner = (event["location_id"], event["client_id"])
        if topic == SALES.name:
            self._credits(owner, SALES_EVENTS.validate_python(event), now)
        elif topic == BOOKINGS.name:
            bookings = self.bookings.setdefault(owner, ClientBookings.new(*owner))
            try:
                handed_on = bookings.handle(BOOKING_EVENTS.validate_python(event))
            except RuleViolation:
                self.refused.add(event["event_id"])
                return
            while handed_on:
                for answer in self._credits(owner, handed_on.pop(0), now):
                    handed_on += bookings.follow(answer)

    def _credits(self, owner, event, now: datetime) -> list:
        credits = self.credits.setdefault(owner, ClientCredits.new(*owner))
        try:
            return credits.handle(event, now, self.zone_of(owner[0]))
        except RuleViolation:
            self.refused.add(event.event_id)
            return []


class Publisher:
    """Keeps publishing through a broker restart: a send that fails is sent again (at least once)."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None

    async def publish(self, topic: str, event: dict) -> None:
        for _ in range(120):
            try:
                if self._producer is None:
                    self._producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, acks="all", linger_ms=5)
                    await self._producer.start()
                key = event.get("client_id") or event["location_id"]  # location events are keyed by location
                await self._producer.send(topic, json.dumps(event).encode(), key=key.encode())
                return
            except KafkaError:
                await self._reset()
                await asyncio.sleep(0.5)
        raise RuntimeError("could not publish for a minute")

    async def flush(self) -> None:
        for _ in range(120):
            try:
                await self._producer.flush()
                return
            except KafkaError:
                await asyncio.sleep(0.5)

    async def _reset(self) -> None:
        if self._producer is not None:
            try:
                await self._producer.stop()
            except KafkaError:
                pass
            self._producer = None

    async def close(self) -> None:
        await self.flush()
        await self._reset()


def _local_servers() -> bool:
    return (ROOT / "var" / "kafka" / "pid").exists() and (ROOT / "var" / "ferretdb" / "pid").exists()


async def _servers(command: str) -> None:
    process = await asyncio.create_subprocess_exec("bash", str(SERVERS_SCRIPT), command,
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


class SickStore:
    """The PostgreSQL under FerretDB failing as a sick database does (tests/support/postgres.py),
    one fault after another (their undoing must not cut another short), with a write probe
    through FerretDB that checks that read-only really took hold."""

    def __init__(self, mongodb: str) -> None:
        self.postgres = Postgres("ferretdb")
        self.mongodb = mongodb
        self.confirmed_read_only = 0
        self.well = asyncio.Event()  # clear while a spell lasts
        self.well.set()

    def spell(self, read_only_s: float = 6, timeout_s: float = 5):
        """Sessions ended mid-batch, read-only for a while, sessions ended, statements timed out."""
        async def fault() -> None:
            self.well.clear()
            try:
                await self._terminate()
                await self._for(read_only_s, lambda: self.postgres.read_only(whole_cluster=True), probe=True)
                await self._terminate()
                await self._for(timeout_s, lambda: self.postgres.statement_timeout("5ms"))
            finally:
                await asyncio.to_thread(self.postgres.restore, True)
                self.well.set()
        return fault

    async def _terminate(self, times: int = 3, pause: float = 0.5) -> None:
        for _ in range(times):
            await asyncio.to_thread(self.postgres.terminate_backends)
            await asyncio.sleep(pause)

    async def _for(self, seconds: float, sicken, probe: bool = False) -> None:
        try:
            await asyncio.to_thread(sicken)
            if probe and not await self._can_write():
                self.confirmed_read_only += 1
            await asyncio.sleep(seconds)
        finally:
            await asyncio.to_thread(self.postgres.restore, True)

    async def _can_write(self) -> bool:
        client = AsyncMongoClient(self.mongodb, serverSelectionTimeoutMS=3000)
        try:
            await client["faults_probe"]["writes"].insert_one({"at": datetime.now(UTC)})
            return True
        except PyMongoError:
            return False
        finally:
            await client.close()


async def _publish_with_faults(publisher: Publisher, events: list[tuple[str, dict]], faults: dict[int, object]) -> None:
    pending: list[asyncio.Task] = []
    try:
        for i, (topic, event) in enumerate(events):
            if i in faults:
                pending.append(asyncio.create_task(faults[i]()))
            await publisher.publish(topic, event)
            if i % 200 == 199:
                await asyncio.sleep(0.05)  # a steady stream, not one burst
        await publisher.flush()
        await asyncio.gather(*pending)
    finally:  # a fault still running when publishing failed undoes itself (its own finally)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def _quiet(servers, groups: dict[str, str], timeout: float = 900) -> None:
    """Every group of the run has committed the end of its topic, twice in a row (credits keeps publishing)."""
    topics = set(groups.values())

    async def lags() -> dict[str, int]:
        ends = {t: await end_offsets_of(servers.kafka, t) for t in topics}
        committed = await group_offsets(servers.kafka, groups)
        return {g: sum(max(0, end - committed[g].get(p, 0)) for p, end in ends[t].items()) for g, t in groups.items()}

    async def settled() -> bool:
        if any((await lags()).values()):
            return False
        await asyncio.sleep(1.0)
        return not any((await lags()).values())

    assert await eventually(settled, timeout=timeout, interval=2.0), \
        f"the services did not catch up after the faults; records behind: {await lags()}"


@pytest.mark.skipif(not _local_servers(), reason="restarts the servers that deploy/local/servers.sh runs")
async def test_nothing_is_lost_or_counted_twice_through_kills_and_server_restarts(system, servers, run_id):
    rnd = random.Random(run_id)
    locations = _locations(run_id)
    sales, bookings = _mix(rnd, run_id)
    assert len(sales) + len(bookings) >= 20_000
    published = len(locations) + len(sales) + len(bookings)
    publisher = Publisher(servers.kafka)

    injected: dict[str, int] = defaultdict(int)
    sick = SickStore(servers.mongodb)

    def kill_and_restart(name: str, instance: str):
        """One of the two instances: the other takes its partitions over, then gives some back."""
        async def fault() -> None:
            injected[f"kill -9 and restart of {name} {instance}"] += 1
            process = getattr(system[name], instance)
            process.kill_hard()
            await asyncio.to_thread(process.start)
        return fault

    def server(command: str):
        async def fault() -> None:
            # servers.sh re-applies its index SQL when it starts FerretDB, which a sick cluster
            # refuses: a FerretDB kill during a spell would test the script, not the services.
            await sick.well.wait()
            injected[command] += 1
            await _servers(command)
        return fault

    sales_faults = {len(sales) // 10: sick.spell(),
                    rnd.randrange(len(sales) // 4, len(sales) // 2): kill_and_restart("credits", "a"),
                    rnd.randrange(len(sales) // 2, len(sales)): server("kill-ferretdb")}
    booking_faults = {len(bookings) // 8: sick.spell(),
                      rnd.randrange(len(bookings) // 8 + 1, len(bookings) // 4): kill_and_restart("bookings", "b"),
                      rnd.randrange(len(bookings) // 4, len(bookings) // 2): server("restart-kafka"),
                      rnd.randrange(len(bookings) // 2, 3 * len(bookings) // 4): kill_and_restart("reports", "a"),
                      rnd.randrange(3 * len(bookings) // 4, len(bookings)): kill_and_restart("notifier", "b")}
    dead_letters_from = {topic: await end_offsets_of(servers.kafka, f"{topic}.dlq") for topic in DLQ_TOPICS}
    try:
        await _publish_with_faults(publisher, locations, {})
        await _quiet(servers, {g: t for g, t in consumer_groups(f"e2e{run_id}.").items() if t == LOCATIONS_TOPIC.name})
        await _publish_with_faults(publisher, sales, sales_faults)
        await _quiet(servers, {g: t for g, t in consumer_groups(f"e2e{run_id}.", "credits").items() if t == SALES.name})
        await _publish_with_faults(publisher, bookings, booking_faults)
    finally:
        await publisher.close()
        await asyncio.to_thread(sick.postgres.restore, True)  # never leave the shared cluster sick
    assert await asyncio.to_thread(sick.postgres.healthy)
    groups = consumer_groups(f"e2e{run_id}.")
    await _quiet(servers, groups)

    now = datetime.now(UTC)
    oracle = Oracle()
    for topic, event in locations + sales + bookings:
        oracle.apply(topic, event, now)
    locations = sorted({owner[0] for owner in oracle.credits})

    async with httpx.AsyncClient(headers=auth(), timeout=60) as http:
        figures = {"events": published, "faults": _faults_injected(injected, sick),
                   **await _lost_and_double(http, system, oracle, now),
                   **await _dead_lettered(servers.kafka, dead_letters_from, f"flt{run_id}-", oracle),
                   "retries": await _retries(http, system)}
        _record(figures)
        assert (figures["lost"], figures["double"], figures["dead_lettered_valid"]) == (0, 0, 0), figures
        await _reports_equal_the_oracle(http, system, oracle, locations, now)
        await _bookings_equal_the_oracle(http, system, oracle, rnd)
        await _histories_add_up(http, system, oracle, rnd)
        await _audience_equals_the_oracle(http, system, oracle, locations)


QUOTED = re.compile(r"'[^']*'")  # ids in a reason, so that reasons of one kind count together
DLQ_TOPICS = (LOCATIONS_TOPIC.name, SALES.name, BOOKINGS.name, CLIENTS.name, LIFECYCLE.name, CREDITS.name)


def _faults_injected(injected: dict[str, int], sick: SickStore) -> dict:
    return {**injected,
            "pg_terminate_backend of FerretDB's sessions": sick.postgres.injected.get("terminate", 0),
            "PostgreSQL read-only (ALTER SYSTEM, 6 s)": sick.postgres.injected.get("read-only", 0),
            "read-only confirmed by a failed probe write": sick.confirmed_read_only,
            "statement_timeout 5ms (ALTER DATABASE, 5 s)": sick.postgres.injected.get("statement-timeout", 0)}


async def _lost_and_double(http, system, oracle: Oracle, now: datetime) -> dict:
    """Every client's ledger entries and every package's credit moves against the oracle: what is
    missing is lost, what is there too often is double."""
    lost = double = 0
    base = system["reports"].url
    for (location, client), credits in oracle.credits.items():
        expected_entries = len(credits.to_document()["account"]["entries"])
        history = (await http.get(f"{base}/v1/locations/{location}/clients/{client}/account/history",
                                  params={"limit": 500})).json()["items"]
        lost, double = lost + max(0, expected_entries - len(history)), double + max(0, len(history) - expected_entries)
        packages = (await http.get(f"{base}/v1/locations/{location}/clients/{client}/credits")).json()["packages"]
        seen = {p["package_id"]: p["booked"] + p["used"] for p in packages}
        for p in credits.package_views(now):
            moved = seen.get(p["package_id"], 0)
            lost, double = lost + max(0, p["booked"] + p["used"] - moved), double + max(0, moved - p["booked"] - p["used"])
    return {"lost": lost, "double": double}


async def _dead_lettered(bootstrap: str, start: dict[str, dict[int, int]], prefix: str, oracle: Oracle) -> dict:
    """The run's dead letters on every DLQ: how many of valid events (not refused by the oracle)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    reasons, valid = defaultdict(int), 0
    try:
        for topic, offsets in start.items():
            ends = await end_offsets_of(bootstrap, f"{topic}.dlq")
            partitions = [TopicPartition(f"{topic}.dlq", p) for p, end in ends.items() if end > offsets.get(p, 0)]
            if not partitions:
                continue
            consumer.assign(partitions)
            for tp in partitions:
                consumer.seek(tp, offsets.get(tp.partition, 0))
            while [tp for tp in partitions if await consumer.position(tp) < ends[tp.partition]]:
                for record in (r for rs in (await consumer.getmany(timeout_ms=1000)).values() for r in rs):
                    if (record.key or b"").decode(errors="replace").startswith(prefix):
                        headers = {k: v.decode(errors="replace") for k, v in record.headers}
                        reasons[f"{topic}: {re.sub(QUOTED, '…', headers.get('x-error', ''))[:70]}"] += 1
                        event_id = _event_id(record.value)
                        valid += event_id is not None and event_id not in oracle.refused
    finally:
        await consumer.stop()
    return {"dead_lettered": sum(reasons.values()), "dead_lettered_valid": valid, "dead_letter_reasons": dict(reasons)}


def _event_id(value: bytes | None) -> str | None:
    try:
        return json.loads(value or b"").get("event_id")
    except (ValueError, AttributeError):
        return None  # not even an event: refused whoever sent it


async def _retries(http, system) -> dict:
    """consumer_retries_total of every service (both instances summed), by subscriber and error class."""
    found: dict[str, int] = defaultdict(int)
    for process in (instance for service in system.values() for instance in service.each):
        for family in text_string_to_metric_families((await http.get(f"{process.url}/metrics")).text):
            for sample in family.samples:
                if sample.name == "consumer_retries_total":
                    found[f"{sample.labels['subscriber']} {sample.labels['error']}"] += int(sample.value)
    return dict(found)


def _record(figures: dict) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "faults-figures.json").write_text(json.dumps(figures, indent=2))
    print("fault run figures:", json.dumps(figures, indent=2))


async def _reports_equal_the_oracle(http, system, oracle: Oracle, locations: list[str], now: datetime) -> None:
    expected_balances = {owner: c.balance()["balance_minor"] for owner, c in oracle.credits.items()
                         if c.balance()["currency"] is not None}
    rows = await _all_rows(http, f"{system['reports'].url}/v1/reports/account-balances", locations)
    assert {(r["location_id"], r["client_id"]): r["balance_minor"] for r in rows} == expected_balances

    expected_packages = {(*owner, p["package_id"]): (p["total"], p["available"], p["booked"], p["used"])
                         for owner, c in oracle.credits.items() for p in c.package_views(now, oracle.zone_of(owner[0]))}
    seen = {}
    for location, client in oracle.credits:
        body = (await http.get(f"{system['reports'].url}/v1/locations/{location}/clients/{client}/credits")).json()
        for p in body["packages"]:
            seen[(location, client, p["package_id"])] = (p["total"], p["available"], p["booked"], p["used"])
            assert p["total"] == p["available"] + p["booked"] + p["used"], p
            assert min(p["available"], p["booked"], p["used"]) >= 0, p
    assert seen == expected_packages


async def _bookings_equal_the_oracle(http, system, oracle: Oracle, rnd: random.Random) -> None:
    owners = rnd.sample(sorted(oracle.bookings), 60)
    for i, (location, client) in enumerate(owners):
        aggregate = oracle.bookings[(location, client)]
        instance = system["bookings"].each[i % 2]  # whichever consumed them, both instances answer alike
        for n in range(6):
            booking = f"b-{client.rsplit('-c', 1)[1]}-{n}"
            expected = aggregate.view(booking)
            response = await http.get(f"{instance.url}/v1/locations/{location}/bookings/{booking}")
            assert response.status_code == 200, response.text
            assert response.json()["status"] == expected["status"], (location, client, booking)


async def _histories_add_up(http, system, oracle: Oracle, rnd: random.Random) -> None:
    for location, client in rnd.sample(sorted(oracle.credits), 60):
        entries = (await http.get(f"{system['reports'].url}/v1/locations/{location}/clients/{client}/account/history",
                                  params={"limit": 500})).json()["items"]
        balance = oracle.credits[(location, client)].balance()["balance_minor"]
        assert sum(e["amount_minor"] for e in entries) == balance
        assert entries[0]["balance_after_minor"] == balance


async def _audience_equals_the_oracle(http, system, oracle: Oracle, locations: list[str]) -> None:
    expected = {owner for owner, c in oracle.credits.items() if (c.balance()["balance_minor"] or 0) < 0}

    async def members(url: str) -> set:  # every page of the run's locations
        found, cursor = set(), None
        while True:
            params = {"location": locations, "limit": 500, **({"cursor": cursor} if cursor else {})}
            body = (await http.get(f"{url}/v1/audiences/owing-balance/members", params=params)).json()
            found |= {(m["location_id"], m["client_id"]) for m in body["items"]}
            if (cursor := body["next_cursor"]) is None:
                return found

    for instance in system["notifier"].each:  # each folded half the members, and lists them all
        assert await eventually(lambda: _equal(lambda: members(instance.url), expected), timeout=60), \
            f"owing-balance on {instance.url} differs: {len(await members(instance.url))} members, {len(expected)} expected"


async def _equal(probe, expected) -> bool:
    return await probe() == expected


async def _all_rows(http, url: str, locations: list[str]) -> list[dict]:
    rows, cursor = [], None
    while True:
        params = [("location", loc) for loc in locations] + [("limit", "500")] + ([("cursor", cursor)] if cursor else [])
        body = (await http.get(url, params=params)).json()
        rows += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows
