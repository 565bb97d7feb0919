"""What the staff page relies on, through the real system: a free-text message to the mail server,
the owing audience used by an admin of one location, a package extended with a note."""

import httpx
import pytest

from shared.contract.topics import CLIENTS, SALES
from tests.conftest import auth
from tests.e2e.test_credits_flow import package_when
from tests.e2e.test_notifier import mails_tagged, member_of, owing_client, settled_message
from tests.support import events as ev
from tests.support.kafka import eventually

pytestmark = pytest.mark.e2e


async def call(system, service: str, method: str, path: str, headers=None, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(base_url=system[service].url, timeout=10) as http:
        return await http.request(method, path, headers=headers or auth(), **kwargs)


async def test_a_free_text_message_is_previewed_then_delivered_with_the_clients_values(system, platform, smtp_inbox):
    tag, location, client = ev.unique("free"), ev.unique("loc"), ev.unique("cli")
    await owing_client(platform, location, client, amount_minor=-1250)
    assert await member_of(system, "owing-balance", location, client)
    body = {"location_id": location, "client_id": client, "subject": f"[{tag}] Hello {{{{first_name}}}}",
            "body": "Dear {{full_name}}, you owe {{ balance }}."}

    preview = await call(system, "notifier", "POST", "/v1/messages/preview", json=body)
    sent = await call(system, "notifier", "POST", "/v1/messages", json=body)
    message = await settled_message(system, location, client, sent.json()["message_id"])

    assert preview.status_code == 200
    assert (preview.json()["subject"], preview.json()["body"]) == (f"[{tag}] Hello Ada",
                                                                   "Dear Ada Lovelace, you owe -$12.50.")
    assert sent.status_code == 202 and message["status"] == "sent" and message["template_name"] is None
    [mail] = mails_tagged(smtp_inbox, tag)
    assert (mail["Subject"], mail.get_content().strip()) == (preview.json()["subject"], preview.json()["body"])


async def test_a_refused_message_reads_as_a_sentence_without_the_servers_text(system, platform, smtp_inbox):
    location, client = ev.unique("loc"), ev.unique("cli")
    await owing_client(platform, location, client, email=f"refused-{client}@example.com")
    assert await member_of(system, "owing-balance", location, client)

    sent = await call(system, "notifier", "POST", "/v1/messages", json={
        "location_id": location, "client_id": client, "subject": "s", "body": "b"})
    message = await settled_message(system, location, client, sent.json()["message_id"])

    assert (message["status"], message["reason"]) == (
        "failed", "The mail server refused the message (SMTP 550); it was not sent.")


async def test_an_admin_of_one_location_uses_the_owing_audience_and_sees_only_that_location(system, platform):
    mine, theirs = ev.unique("loc-a"), ev.unique("loc-b")
    clients = {mine: ev.unique("cli"), theirs: ev.unique("cli")}
    for location, client in clients.items():
        await owing_client(platform, location, client)
        assert await member_of(system, "owing-balance", location, client)
    admin_of_mine = auth("admin", [mine])

    members = await call(system, "notifier", "GET", "/v1/audiences/owing-balance/members", admin_of_mine)
    audiences = await call(system, "notifier", "GET", "/v1/audiences", admin_of_mine)
    elsewhere = await call(system, "notifier", "GET", "/v1/audiences/owing-balance/members", admin_of_mine,
                           params={"location": theirs})

    assert members.status_code == 200
    assert [(m["location_id"], m["client_id"]) for m in members.json()["items"]] == [(mine, clients[mine])]
    owing = next(a for a in audiences.json()["items"] if a["audience_id"] == "owing-balance")
    assert owing["members_by_location"] == [{"location_id": mine, "members": 1}]
    assert elsewhere.status_code == 403


async def test_a_package_extended_with_a_note_shows_the_note_and_who_in_the_credits_view(system, platform):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(CLIENTS.name, ev.client_registered(location, client))
    await platform.publish(SALES.name, ev.package_purchased(location, client, "pack-5", credits=5,
                                                            expires_on="2027-01-31"))
    assert await package_when(system, location, client, "pack-5", lambda p: True)
    path = f"/v1/locations/{location}/clients/{client}/packages/pack-5/adjustments"

    extended = await call(system, "credits", "POST", path, auth(sub="staff-maria"),
                          json={"expires_on": "2027-06-30", "note": "paused for an injury"})
    listed = await package_when(system, location, client, "pack-5", lambda p: p["adjustments"])
    never = await call(system, "credits", "POST", path, auth(sub="staff-maria"), json={"expires_on": None})

    assert extended.status_code == 200 and extended.json()["expires_on"] == "2027-06-30"
    [adjustment] = listed["adjustments"]
    assert (listed["expires_on"], adjustment["note"], adjustment["actor"], adjustment["expires_on"],
            adjustment["changed"]) == ("2027-06-30", "paused for an injury", "staff-maria", "2027-06-30",
                                       ["expires_on"])
    assert never.status_code == 200 and never.json()["expires_on"] is None
    assert await package_when(system, location, client, "pack-5",
                              lambda p: p["expires_on"] is None and len(p["adjustments"]) == 2)


async def test_a_journey_an_admin_of_one_location_makes_on_the_owing_audience_enters_only_its_clients(
        system, platform):
    mine, theirs = ev.unique("loc-a"), ev.unique("loc-b")
    admin_of_mine = auth("admin", [mine])
    created_template = await call(system, "notifier", "POST", "/v1/templates", admin_of_mine, json={
        "name": ev.unique("remind"), "subject": "Hi {{first_name}}", "body": "You owe {{balance}}."})
    journey = await call(system, "notifier", "POST", "/v1/journeys", admin_of_mine, json={
        "name": "Owing reminder", "audience_id": "owing-balance",
        "steps": [{"after": "P3D", "template_id": created_template.json()["template_id"]}]})
    journey_id = journey.json()["journey_id"]
    clients = {mine: ev.unique("cli"), theirs: ev.unique("cli")}
    for location, client in clients.items():
        await owing_client(platform, location, client)

    async def entered() -> list:
        body = (await call(system, "notifier", "GET", f"/v1/journeys/{journey_id}/entries", auth(),
                           params={"location": [mine, theirs]})).json()
        return body["items"]

    [entry] = await eventually(entered, timeout=30)
    assert await member_of(system, "owing-balance", theirs, clients[theirs])  # inside, yet not entered
    assert [e["client_id"] for e in await entered()] == [clients[mine]]
    listed = await call(system, "notifier", "GET", "/v1/journeys", admin_of_mine)

    assert journey.status_code == 201 and journey.json()["location_ids"] == [mine]
    assert (entry["location_id"], entry["client_id"], entry["entry"]) == (mine, clients[mine], 1)
    assert [s["status"] for s in entry["steps"]] == ["pending"]
    assert any(j["journey_id"] == journey_id and j["audience_name"] == "Customers Owing Account Balance"
               for j in listed.json()["items"])
