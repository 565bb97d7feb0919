"""What the services write to their logs never holds a secret or a client's contact details.

A flow touching every service with a client's email and phone (events in, reports and CSV,
a staff adjustment, a bad token, a message sent and one refused by a server that echoes the
address), plus a second notifier logging at DEBUG whose SMTP URL carries a password; then the
log files of all of them are searched for the JWT secret, the tokens used, the password and the
client's email address and phone number.
"""

import random
import uuid

import httpx
import pytest

from shared.contract.topics import CLIENTS, SALES
from tests.conftest import SECRET, consumer_groups, token
from tests.support import events as ev
from tests.support.kafka import Platform, eventually, fast_forward_groups
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.e2e

SMTP_PASSWORD = f"pw-{uuid.uuid4().hex}"


class People:
    def __init__(self) -> None:
        self.location = ev.unique("log-loc")
        self.ada, self.bob, self.cy = (ev.unique(n) for n in ("ada", "bob", "cy"))
        self.emails = {self.ada: f"ada.{uuid.uuid4().hex[:8]}@example.com",
                       self.bob: f"refused.{uuid.uuid4().hex[:8]}@example.com",
                       self.cy: f"cy.{uuid.uuid4().hex[:8]}@example.com"}
        self.phones = {c: f"+44 20 {random.randint(1000, 9999)} {random.randint(1000, 9999)}" for c in self.emails}

    def registrations(self) -> list[dict]:
        return [ev.client_registered(self.location, c, email=self.emails[c], phone=self.phones[c]) for c in self.emails]


async def _send(http: httpx.AsyncClient, bearer: str, location: str, client: str) -> str:
    template = await http.post("/v1/templates", json={"name": "t", "subject": "Hi {{first_name}}",
                                                      "body": "You owe {{balance}}"},
                               headers={"Authorization": f"Bearer {bearer}"})
    message = await http.post("/v1/messages", json={"location_id": location, "client_id": client,
                                                    "template_id": template.json()["template_id"]},
                              headers={"Authorization": f"Bearer {bearer}"})
    assert message.status_code == 202, message.text
    return message.json()["message_id"]


async def _settled(http: httpx.AsyncClient, bearer: str, location: str, client: str, message_id: str) -> dict | None:
    async def probe():
        items = (await http.get("/v1/messages", params={"location": location, "client_id": client},
                                headers={"Authorization": f"Bearer {bearer}"})).json().get("items", [])
        found = [m for m in items if m["message_id"] == message_id and m["status"] != "queued"]
        return found[0] if found else None

    return await eventually(probe, timeout=30)


@pytest.fixture
def debug_notifier(system, servers, smtp_inbox):
    """A second notifier at DEBUG with a password in its SMTP URL (the test server offers no AUTH,
    so every message fails after the password was handed to the SMTP client)."""
    prefix = f"logs{uuid.uuid4().hex[:6]}."
    base = system["notifier"]
    host_port = smtp_inbox.url.split("://", 1)[1]
    env = {**base.env, "LOG_LEVEL": "DEBUG", "SMTP_URL": f"smtp://mailer:{SMTP_PASSWORD}@{host_port}",
           "DATABASE_PREFIX": prefix.rstrip("."), "CONSUMER_GROUP_PREFIX": prefix}
    import asyncio

    asyncio.run(fast_forward_groups(servers.kafka, consumer_groups(prefix, "notifier")))
    proc = ServiceProcess("notifier", base.port + 50, env, base.log_path.with_name(f"notifier-debug-{prefix}log"))
    proc.start()
    yield proc
    proc.stop()


async def test_no_secret_or_contact_detail_reaches_any_log(system, servers, debug_notifier):
    people, admin = People(), token("admin", ["*"])
    platform = Platform(servers.kafka)
    await platform.start()
    try:
        for event in people.registrations():
            await platform.publish(CLIENTS.name, event)
        await platform.publish(SALES.name, ev.account_transaction(people.location, people.ada, "payment", 5000))
        await platform.publish(SALES.name, {**ev.account_transaction(people.location, people.bob, "charge", -100),
                                            "note": f"call {people.phones[people.bob]}", "currency": "XXXX"})
    finally:
        await platform.stop()

    async with httpx.AsyncClient(base_url=system["credits"].url, timeout=10) as credits:
        adjusted = await credits.post(f"/v1/locations/{people.location}/clients/{people.ada}/account/adjustments",
                                      json={"amount_minor": 250, "currency": "USD", "note": "goodwill"},
                                      headers={"Authorization": f"Bearer {admin}"})
        refused = await credits.post(f"/v1/locations/{people.location}/clients/{people.ada}/account/adjustments",
                                     json={"amount_minor": 250, "currency": "USD", "note": "x"},
                                     headers={"Authorization": f"Bearer {admin[:-4]}abcd"})
    async with httpx.AsyncClient(base_url=system["reports"].url, timeout=10) as reports:
        searched = await eventually(lambda: _search(reports, admin, people))
        exported = await reports.get("/v1/reports/account-balances", params={"q": people.emails[people.ada],
                                                                            "format": "csv"},
                                     headers={"Authorization": f"Bearer {admin}"})
    async with httpx.AsyncClient(base_url=system["notifier"].url, timeout=10) as notifier:
        sent = await _settled(notifier, admin, people.location, people.ada,
                              await _send(notifier, admin, people.location, people.ada))
        bounced = await _settled(notifier, admin, people.location, people.bob,
                                 await _send(notifier, admin, people.location, people.bob))
    async with httpx.AsyncClient(base_url=debug_notifier.url, timeout=10) as notifier:
        no_auth = await _settled(notifier, admin, people.location, people.cy,
                                 await _send(notifier, admin, people.location, people.cy))

    assert adjusted.status_code == 200 and refused.status_code == 401 and searched and exported.status_code == 200
    assert (sent["status"], bounced["status"], no_auth["status"]) == ("sent", "failed", "failed")
    assert bounced["reason"].startswith("The mail server refused the message")  # a sentence for staff
    logs = {p.log_path.name: p.log_path.read_text(errors="replace") for p in (*(i for s in system.values() for i in s.each), debug_notifier)}
    secrets = {"the JWT secret": SECRET, "a bearer token": admin, "the SMTP password": SMTP_PASSWORD,
               **{f"{client}'s email": email for client, email in people.emails.items()},
               **{f"{client}'s phone": phone for client, phone in people.phones.items()}}
    leaks = [f"{what} in {name}" for name, text in logs.items() for what, secret in secrets.items() if secret in text]
    assert leaks == []
    assert "settled" in logs[debug_notifier.log_path.name]  # the DEBUG notifier did log its sends


async def _search(http: httpx.AsyncClient, admin: str, people: People) -> bool:
    response = await http.get("/v1/reports/account-balances", params={"q": people.emails[people.ada]},
                              headers={"Authorization": f"Bearer {admin}"})
    return response.status_code == 200 and bool(response.json()["items"])
