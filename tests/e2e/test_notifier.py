"""The notifier through the real system: events in, audiences and emails out (real SMTP server)."""

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from shared.contract.topics import CLIENTS, NOTIFIER, SALES
from tests.conftest import auth
from tests.support import events as ev
from tests.support.kafka import eventually, read_topic

pytestmark = pytest.mark.e2e


async def post(system, path: str, body: dict) -> httpx.Response:
    async with httpx.AsyncClient(base_url=system["notifier"].url, timeout=10) as http:
        return await http.post(path, json=body, headers=auth())


async def get(system, path: str, **params) -> dict:
    async with httpx.AsyncClient(base_url=system["notifier"].url, timeout=10) as http:
        response = await http.get(path, params=params, headers=auth())
    return response.json() if response.status_code == 200 else {}


async def template(system, tag: str, body: str = "Dear {{full_name}}, you owe {{balance}} at {{location_id}}.") -> str:
    response = await post(system, "/v1/templates", {"name": tag, "subject": f"[{tag}] Hi {{{{first_name}}}}",
                                                    "body": body})
    assert response.status_code == 201, response.text
    return response.json()["template_id"]


async def journey(system, tag: str, audience_id: str = "owing-balance", after: str = "PT1H") -> str:
    steps = [{"after": after, "template_id": await template(system, tag)}]
    response = await post(system, "/v1/journeys", {"name": tag, "audience_id": audience_id, "steps": steps})
    assert response.status_code == 201, response.text
    return response.json()["journey_id"]


async def owing_client(platform, location: str, client: str, amount_minor: int = -2500, **profile) -> None:
    await platform.publish(CLIENTS.name, ev.client_registered(location, client, **profile))
    await platform.publish(SALES.name, ev.account_transaction(location, client, "charge", amount_minor))


async def member_of(system, audience_id: str, location: str, client: str, present: bool = True,
                    timeout: float = 30.0):
    async def probe():  # one location's members: a test's location is its own, so one page holds them
        items = (await get(system, f"/v1/audiences/{audience_id}/members", location=location,
                           limit=500)).get("items", [])
        found = next((i for i in items if i["client_id"] == client and i["full_name"]), None)
        if present:
            return found
        return found is None

    return await eventually(probe, timeout=timeout, interval=0.3)


def mails_tagged(inbox, tag: str, to: str | None = None) -> list:
    return [m for m in inbox.messages if f"[{tag}]" in m["Subject"] and to in (None, m["To"])]


async def messages_of(system, location: str, client: str) -> list[dict]:
    return (await get(system, "/v1/messages", location=location, client_id=client)).get("items", [])


async def settled_message(system, location: str, client: str, message_id: str, timeout: float = 30.0) -> dict:
    async def probe():
        found = [m for m in await messages_of(system, location, client) if m["message_id"] == message_id]
        return found[0] if found and found[0]["status"] != "queued" else None

    return await eventually(probe, timeout=timeout, interval=0.3)


def an_hour_later() -> datetime:
    return datetime.now(UTC) + timedelta(hours=1, minutes=2)


async def test_a_client_who_owes_gets_the_journey_step_once_an_hour_has_passed(system, platform, smtp_inbox,
                                                                                 time_travel):
    tag, location, client = ev.unique("owe"), ev.unique("loc"), ev.unique("cli")
    await journey(system, tag)
    await owing_client(platform, location, client)
    assert await member_of(system, "owing-balance", location, client)
    await asyncio.sleep(1.5)
    assert mails_tagged(smtp_inbox, tag) == []

    time_travel(an_hour_later())
    mails = await eventually(lambda: _async(mails_tagged(smtp_inbox, tag)), timeout=20)
    await asyncio.sleep(2)  # a few more sweeps: nothing more arrives

    assert len(mails_tagged(smtp_inbox, tag)) == 1
    assert mails[0]["To"] == f"{client}@example.com" and mails[0]["Subject"] == f"[{tag}] Hi Ada"
    assert f"Dear Ada Lovelace, you owe -$25.00 at {location}." in mails[0].get_content()
    assert [m["status"] for m in await messages_of(system, location, client)] == ["sent"]


async def test_paying_off_the_debt_before_the_step_is_due_sends_no_reminder(system, platform, smtp_inbox,
                                                                              time_travel):
    tag, location, client = ev.unique("paid"), ev.unique("loc"), ev.unique("cli")
    await journey(system, tag)
    await owing_client(platform, location, client)
    assert await member_of(system, "owing-balance", location, client)
    await platform.publish(SALES.name, ev.account_transaction(location, client, "payment", 2500))
    assert await member_of(system, "owing-balance", location, client, present=False)

    time_travel(an_hour_later())
    await asyncio.sleep(3)

    assert mails_tagged(smtp_inbox, tag) == []
    assert await messages_of(system, location, client) == []


async def test_a_one_off_message_is_sent_and_readable_through_the_api(system, platform, smtp_inbox):
    tag, location, client = ev.unique("one"), ev.unique("loc"), ev.unique("cli")
    template_id = await template(system, tag, body="Hello {{first_name}} {{ last_name }}")
    await owing_client(platform, location, client)
    assert await member_of(system, "owing-balance", location, client)

    response = await post(system, "/v1/messages", {"location_id": location, "client_id": client,
                                                   "template_id": template_id})
    message = await settled_message(system, location, client, response.json()["message_id"])

    assert response.status_code == 202
    assert message["status"] == "sent" and message["reason"] is None and message["origin"] == "one_off"
    assert [m.get_content().strip() for m in mails_tagged(smtp_inbox, tag)] == ["Hello Ada Lovelace"]


@pytest.mark.parametrize(("profile", "reason"), [({"email": None}, "No email address on file."),
                                                 ({"email_opt_out": True}, "The client opted out of email.")])
async def test_a_client_without_email_or_opted_out_is_skipped_with_the_reason(system, platform, smtp_inbox,
                                                                               profile, reason):
    tag, location, client = ev.unique("skip"), ev.unique("loc"), ev.unique("cli")
    template_id = await template(system, tag)
    await owing_client(platform, location, client, **profile)
    assert await member_of(system, "owing-balance", location, client)

    response = await post(system, "/v1/messages", {"location_id": location, "client_id": client,
                                                   "template_id": template_id})
    message = await settled_message(system, location, client, response.json()["message_id"])

    assert (message["status"], message["reason"]) == ("skipped", reason)
    assert mails_tagged(smtp_inbox, tag) == []


async def test_a_server_that_keeps_refusing_for_now_ends_failed_with_the_reason(system, platform, smtp_inbox):
    tag, location, client = ev.unique("fail"), ev.unique("loc"), ev.unique("cli")
    template_id = await template(system, tag)
    await owing_client(platform, location, client, email=f"tempfail-{client}@example.com")
    assert await member_of(system, "owing-balance", location, client)

    response = await post(system, "/v1/messages", {"location_id": location, "client_id": client,
                                                   "template_id": template_id})
    message = await settled_message(system, location, client, response.json()["message_id"], timeout=40)

    assert message["status"] == "failed" and "451" in message["reason"] and "4 attempts" in message["reason"]


@pytest.mark.parametrize("body", ["Hi {{ nickname }}", "{{__class__}}", "{{ 7*7 }}", "{{ first_name|upper }}"])
async def test_a_template_with_an_unknown_merge_field_is_refused(system, body):
    response = await post(system, "/v1/templates", {"name": "bad", "subject": "Hi", "body": body})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body"


async def test_a_newsletter_goes_at_send_at_to_the_audience_members_once(system, platform, smtp_inbox, time_travel):
    tag, location = ev.unique("news"), ev.unique("loc")
    clients = [ev.unique("cli") for _ in range(2)]
    audience = await post(system, "/v1/audiences", {"name": tag, "location_ids": [location],
                                                    "condition": {"field": "account_balance_minor", "op": "lt",
                                                                  "value": 0}})
    audience_id = audience.json()["audience_id"]
    for client in clients:
        await owing_client(platform, location, client)
    for client in clients:
        assert await member_of(system, audience_id, location, client)
    send_at = datetime.now(UTC) + timedelta(days=1)
    response = await post(system, "/v1/newsletters", {"audience_id": audience_id,
                                                      "template_id": await template(system, tag),
                                                      "send_at": send_at.isoformat()})
    assert response.status_code == 201, response.text
    await asyncio.sleep(1.5)
    assert mails_tagged(smtp_inbox, tag) == []

    time_travel(send_at + timedelta(minutes=1))
    await eventually(lambda: _async(len(mails_tagged(smtp_inbox, tag)) == 2), timeout=20)
    await asyncio.sleep(2)

    assert sorted(m["To"] for m in mails_tagged(smtp_inbox, tag)) == sorted(f"{c}@example.com" for c in clients)


async def test_journey_steps_survive_a_kill_and_are_delivered_exactly_once(system, platform, smtp_inbox,
                                                                            time_travel):
    tag, location = ev.unique("crash"), ev.unique("loc")
    clients = [ev.unique("cli") for _ in range(5)]
    await journey(system, tag)
    for client in clients:
        await owing_client(platform, location, client)
    for client in clients:
        assert await member_of(system, "owing-balance", location, client)

    system["notifier"].kill_hard()  # with every step pending
    time_travel(an_hour_later())  # due while the notifier is down
    system["notifier"].start()
    await eventually(lambda: _async(len(mails_tagged(smtp_inbox, tag)) >= len(clients)), timeout=30)
    system["notifier"].kill_hard()  # after sending: a restart must not send again
    system["notifier"].start()
    await asyncio.sleep(3)

    delivered = [m["X-Studio-Message-Id"] for m in mails_tagged(smtp_inbox, tag)]
    assert sorted(m["To"] for m in mails_tagged(smtp_inbox, tag)) == sorted(f"{c}@example.com" for c in clients)
    assert len(delivered) == len(set(delivered)) == len(clients)


async def audience_for(system, location: str, tag: str) -> str:
    response = await post(system, "/v1/audiences", {"name": tag, "location_ids": [location], "condition": {
        "field": "account_balance_minor", "op": "lt", "value": 0}})
    assert response.status_code == 201, response.text
    return response.json()["audience_id"]


async def test_re_entering_the_audience_starts_the_journey_again_and_cancels_the_old_entry(
        system, platform, smtp_inbox, time_travel):
    tag, location, client = ev.unique("again"), ev.unique("loc"), ev.unique("cli")
    audience_id = await audience_for(system, location, tag)
    await journey(system, tag, audience_id)
    await owing_client(platform, location, client)
    assert await member_of(system, audience_id, location, client)
    await platform.publish(SALES.name, ev.account_transaction(location, client, "payment", 2500))
    assert await member_of(system, audience_id, location, client, present=False)
    await platform.publish(SALES.name, ev.account_transaction(location, client, "charge", -700))
    member = await member_of(system, audience_id, location, client)

    time_travel(an_hour_later())
    await eventually(lambda: _async(mails_tagged(smtp_inbox, tag)), timeout=20)
    await asyncio.sleep(2)

    assert member["entry"] == 2
    assert len(mails_tagged(smtp_inbox, tag)) == 1
    assert "-$7.00" in mails_tagged(smtp_inbox, tag)[0].get_content()


async def test_a_journey_including_existing_members_starts_for_them_from_its_creation(
        system, platform, smtp_inbox, time_travel):
    tag, location, client = ev.unique("exist"), ev.unique("loc"), ev.unique("cli")
    audience_id = await audience_for(system, location, tag)
    await owing_client(platform, location, client)
    assert await member_of(system, audience_id, location, client)
    steps = [{"after": "PT1H", "template_id": await template(system, tag)}]
    response = await post(system, "/v1/journeys", {"name": tag, "audience_id": audience_id, "steps": steps,
                                                   "include_existing": True})
    assert response.status_code == 201, response.text
    await asyncio.sleep(2)  # the journey starts for existing members in the background: let it, then move time

    time_travel(an_hour_later() + timedelta(minutes=1))
    mails = await eventually(lambda: _async(mails_tagged(smtp_inbox, tag)), timeout=20)

    assert [m["To"] for m in mails] == [f"{client}@example.com"]


async def test_time_alone_brings_a_client_into_an_audience_of_credits_expiring_soon(
        system, platform, servers, time_travel):
    tag, location, client = ev.unique("soon"), ev.unique("loc"), ev.unique("cli")
    holding = await audience_with(system, location, f"{tag}-held", "session_credits_remaining", "gt", 0)
    expiring = await audience_with(system, location, tag, "credits_expiring_within_days", "lte", 7)
    expires_on = date.today() + timedelta(days=30)
    await platform.publish(CLIENTS.name, ev.client_registered(location, client))
    await platform.publish(SALES.name, ev.package_purchased(location, client, ev.unique("pkg"), credits=5,
                                                            starts_on=date.today().isoformat(),
                                                            expires_on=expires_on.isoformat()))
    assert await member_of(system, holding, location, client)  # the package has arrived
    await asyncio.sleep(1.5)  # a few sweeps on the real date
    assert await member_of(system, expiring, location, client, present=False, timeout=1)

    time_travel(datetime.now(UTC) + timedelta(days=24))  # 6 days before the expiry; no new event
    member = await member_of(system, expiring, location, client)
    entered = await read_topic(servers.kafka, NOTIFIER.name, lambda r: _entered(r, expiring, client))

    assert member["entry"] == 1
    assert [json.loads(r.value)["entry"] for r in entered] == [1]


async def audience_with(system, location: str, tag: str, field: str, op: str, value: int) -> str:
    response = await post(system, "/v1/audiences", {"name": tag, "location_ids": [location],
                                                    "condition": {"field": field, "op": op, "value": value}})
    assert response.status_code == 201, response.text
    return response.json()["audience_id"]


def _entered(record, audience_id: str, client: str) -> bool:
    event = json.loads(record.value)
    return (event.get("type"), event.get("audience_id"), event.get("client_id")) == (
        "audience.entered", audience_id, client)


async def _async(value):
    return value
