"""Fixtures shared by the whole suite: real servers, a per-run namespace, the services as processes."""

import asyncio
import fcntl
import os
import socket
import uuid
from contextlib import ExitStack
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from shared.wiring.auth import mint_token
from services.bookings.entrypoints.subscribers import SUBSCRIPTIONS as BOOKINGS_SUBSCRIPTIONS
from services.credits.entrypoints.subscribers import SUBSCRIPTIONS as CREDITS_SUBSCRIPTIONS
from services.notifier.entrypoints.subscribers import SUBSCRIPTIONS as NOTIFIER_SUBSCRIPTIONS
from services.reports.entrypoints.subscribers import SUBSCRIPTIONS as REPORTS_SUBSCRIPTIONS
from shared.wiring.kafka import create_topics
from tests.support.kafka import Platform, fast_forward_groups, group_offsets, mark_session_start
from tests.support.processes import PORTS, PORTS_B, Instances, ServiceProcess
from tests.support.servers import Servers, find_servers

SECRET = "test-secret-for-the-suite-only-0123456789"
RUN_ID = uuid.uuid4().hex[:8]
OUTPUT = Path(os.environ.get("TEST_OUTPUT", "test-output"))
CLOCK_FILE = OUTPUT / f"clock-{RUN_ID}.txt"
TRACES = OUTPUT / "traces"


def trace_file(service: str) -> Path:
    """Where a service of this run appends its spans (JSON lines)."""
    return TRACES / f"{service}-{RUN_ID}.jsonl"


@pytest.fixture(scope="session")
def servers():
    with ExitStack() as stack:
        yield find_servers(stack)


@pytest.fixture(scope="session")
def run_id() -> str:
    return RUN_ID


@pytest.fixture
async def mongo(servers: Servers):
    client = AsyncMongoClient(servers.mongodb, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
async def db(mongo):
    """A fresh database for one test, dropped afterwards."""
    name = f"t{RUN_ID}_{uuid.uuid4().hex[:8]}"
    yield mongo[name]
    await mongo.drop_database(name)


def token(role: str = "admin", locations: list[str] | None = None, sub: str = "staff-1") -> str:
    return mint_token(SECRET, sub, role, locations or ["*"])


def auth(role: str = "admin", locations: list[str] | None = None, sub: str = "staff-1") -> dict:
    return {"Authorization": f"Bearer {token(role, locations, sub)}"}


class Inbox:
    """An aiosmtpd handler keeping what arrived; recipients starting `tempfail` get a 451,
    `refused` a 550 naming the address."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("tempfail"):
            return "451 4.3.0 try again later"
        if address.startswith("refused"):
            return f"550 5.1.1 <{address}>: Recipient address rejected"  # as Postfix echoes it
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_inbox():
    """A real SMTP server in this process; the notifier sends to it (or to TEST_SMTP_URL)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    # SMTPUTF8 as real servers offer it: internationalised addresses are the server's to judge.
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), enable_SMTPUTF8=True)
    controller.start()
    inbox.url = os.environ.get("TEST_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    yield inbox
    controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def one_system_at_a_time():
    """Test sessions on one machine share the platform topics: two running sets of services would
    each act on the other's events and publish into the other's read models. Take turns."""
    lock_path = Path(os.environ.get("E2E_LOCK", "/tmp/studio-credits-e2e.lock"))
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def pytest_configure(config):
    config.addinivalue_line("markers", "tracing: the services of the run write their spans (TRACE_FILE)")


def _traced(request) -> bool:
    """Spans are written only in a session that runs a test marked `tracing`: they cost the others time."""
    return any(item.get_closest_marker("tracing") for item in request.session.items)


@pytest.fixture(scope="session")
def system(request, one_system_at_a_time, servers: Servers, smtp_inbox: Inbox):
    """The four services as real processes against the real servers, with their own databases and
    groups, two instances of each: `system[name]` talks to instance A, `system[name].b` is B."""
    logs = OUTPUT / "services"
    logs.mkdir(parents=True, exist_ok=True)
    CLOCK_FILE.write_text("")
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
        "MONGODB_URL": servers.mongodb,
        "STAFF_JWT_SECRET": SECRET,
        "DATABASE_PREFIX": f"e2e{RUN_ID}",
        "CONSUMER_GROUP_PREFIX": f"e2e{RUN_ID}.",
        "LOG_LEVEL": "INFO",
        "CLOCK_FILE": str(CLOCK_FILE.resolve()),
        "SWEEP_SECONDS": "0.5",
        "SMTP_URL": smtp_inbox.url,
    }
    asyncio.run(_position_groups(servers.kafka, env["CONSUMER_GROUP_PREFIX"]))
    os.environ["E2E_GROUP_PREFIX"] = env["CONSUMER_GROUP_PREFIX"]
    traces = {n: {"TRACE_FILE": str(trace_file(n).resolve())} if _traced(request) else {} for n in PORTS}
    # Two instances of every service (issue 15: any number of instances), B on its own port,
    # logging to its own file and appending to the same trace file (one JSON line per span).
    procs = {n: Instances(ServiceProcess(n, PORTS[n], {**env, **traces[n]}, logs / f"{n}-{RUN_ID}.log"),
                          ServiceProcess(n, PORTS_B[n], {**env, **traces[n]}, logs / f"{n}-b-{RUN_ID}.log"))
             for n in PORTS}
    for proc in procs.values():
        proc.start(wait=False)
    try:
        for proc in procs.values():
            proc.wait_ready()
        yield procs
    finally:
        for proc in procs.values():
            proc.stop()


SUBSCRIPTIONS = {"bookings": BOOKINGS_SUBSCRIPTIONS, "credits": CREDITS_SUBSCRIPTIONS, "reports": REPORTS_SUBSCRIPTIONS,
                 "notifier": NOTIFIER_SUBSCRIPTIONS}


def consumer_groups(prefix: str, service: str | None = None) -> dict[str, str]:
    """{group: topic} of the services (or one service) in a run's namespace."""
    return {f"{prefix}{name}.{suffix}": topic for name, subs in SUBSCRIPTIONS.items()
            if service in (None, name) for suffix, topic in subs.items()}


START_OFFSETS: dict[str, dict] = {}  # where this run's consumer groups began: its "offset 0"


async def _position_groups(bootstrap: str, prefix: str) -> None:
    await create_topics(bootstrap)
    await mark_session_start(bootstrap)
    await fast_forward_groups(bootstrap, consumer_groups(prefix))
    START_OFFSETS.update(await group_offsets(bootstrap, consumer_groups(prefix)))


@pytest.fixture
async def platform(servers: Servers):
    publisher = Platform(servers.kafka)
    await publisher.start()
    yield publisher
    await publisher.stop()


@pytest.fixture
def time_travel():
    """Moves every service's clock (they read CLOCK_FILE); back to real time afterwards."""

    def travel_to(instant) -> None:
        CLOCK_FILE.write_text(instant.isoformat())

    yield travel_to
    CLOCK_FILE.write_text("")
