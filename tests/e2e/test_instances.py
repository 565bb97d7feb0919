"""Two instances of every service in the same consumer groups: what staff do through instance A,
instance B shows within a second, whichever instance consumed the events it caused."""

import httpx
import pytest

from shared.contract.topics import CLIENTS, SALES
from tests.conftest import auth
from tests.e2e.test_credits_flow import NEXT_MONTH, package_when
from tests.support import events as ev
from tests.support.kafka import eventually

pytestmark = pytest.mark.e2e

WITHIN = 1.0  # seconds: what "at once" means for a second instance


async def _get(url: str, path: str, **params) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        return await http.get(path, params=params, headers=auth())


async def _post(url: str, path: str, body: dict) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        return await http.post(path, json=body, headers=auth())


async def _status(url: str, location: str, booking_id: str) -> str | None:
    response = await _get(url, f"/v1/locations/{location}/bookings/{booking_id}")
    return response.json()["status"] if response.status_code == 200 else None


async def _status_on_both(system, location: str, booking_id: str, wanted: str, timeout: float = 10) -> bool:
    """A sees `wanted` (the events went their way), then B within a second."""
    bookings = system["bookings"]
    assert await eventually(lambda: _is(_status(bookings.a.url, location, booking_id), wanted), timeout, 0.1), \
        f"instance A never showed {wanted}"
    return await eventually(lambda: _is(_status(bookings.b.url, location, booking_id), wanted), WITHIN, 0.1)


async def _is(read, wanted) -> bool:
    return await read == wanted


@pytest.fixture
async def client_with_pack(system, platform):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(CLIENTS.name, ev.client_registered(location, client))
    await platform.publish(SALES.name, ev.package_purchased(location, client, "pack-5", credits=5))
    assert await package_when(system, location, client, "pack-5", lambda p: True)
    return location, client


async def test_a_booking_made_and_cancelled_through_a_reads_the_same_on_b(system, client_with_pack):
    location, client = client_with_pack
    bookings = system["bookings"]
    created = await _post(bookings.a.url, f"/v1/locations/{location}/bookings",
                          {"client_id": client, "session_id": "s-1", "session_name": "Spin",
                           "session_starts_at": NEXT_MONTH})
    booking_id = created.json()["booking_id"]
    await _status(bookings.b.url, location, booking_id)  # B reads it while it is new

    assert await _status_on_both(system, location, booking_id, "booked")
    cancel = await _post(bookings.a.url, f"/v1/locations/{location}/bookings/{booking_id}/cancel", {"late": False})
    assert cancel.status_code == 202, cancel.text
    assert await _status_on_both(system, location, booking_id, "cancelled")


async def test_credits_added_through_a_can_be_deducted_through_b_at_once(system, client_with_pack):
    """B remembers the package as it left it; a deduction only A's newer version can serve is
    checked against the store before B refuses it (shared.aggregates.unit_of_work)."""
    location, client = client_with_pack
    credits = system["credits"]
    path = f"/v1/locations/{location}/clients/{client}/packages/pack-5/adjustments"
    first = await _post(credits.b.url, path, {"action": "deduct", "credits": 1, "note": "B knows the client"})
    assert first.status_code == 200 and first.json()["available"] == 4

    added = await _post(credits.a.url, path, {"action": "add", "credits": 3, "note": "make-good"})
    assert added.status_code == 200 and added.json()["available"] == 7
    deducted = await _post(credits.b.url, path, {"action": "deduct", "credits": 6, "note": "six of the seven"})

    assert deducted.status_code == 200, deducted.text
    assert deducted.json()["available"] == 1


async def test_an_account_adjustment_through_a_shows_in_both_reports_instances(system, client_with_pack):
    location, client = client_with_pack
    answer = await _post(system["credits"].a.url, f"/v1/locations/{location}/clients/{client}/account/adjustments",
                         {"amount_minor": -1250, "currency": "USD", "note": "late fee"})
    assert answer.status_code == 200 and answer.json()["balance_minor"] == -1250
    reports, history = system["reports"], f"/v1/locations/{location}/clients/{client}/account/history"

    async def noted(url: str) -> bool:
        items = (await _get(url, history)).json().get("items", [])
        return [(e["amount_minor"], e["note"], e["actor"]) for e in items] == [(-1250, "late fee", "staff-1")]

    assert await eventually(lambda: noted(reports.a.url), timeout=20)
    assert await eventually(lambda: noted(reports.b.url), timeout=WITHIN, interval=0.1)


async def _members(url: str, audience_id: str, location: str) -> set[str]:
    response = await _get(url, f"/v1/audiences/{audience_id}/members", location=location, limit=500)
    return {m["client_id"] for m in response.json().get("items", [])} if response.status_code == 200 else set()


async def _owing_clients(platform, location: str, count: int) -> set[str]:
    """Clients on every partition, so that both instances fold some of them."""
    clients = {ev.unique(f"owe{n}") for n in range(count)}
    for client in clients:
        await platform.publish(CLIENTS.name, ev.client_registered(location, client, first_name="Ana"))
        await platform.publish(SALES.name, ev.account_transaction(location, client, "charge", -900))
    return clients


async def test_every_owing_client_is_on_the_audience_page_of_both_instances(system, platform):
    location, notifier = ev.unique("loc"), system["notifier"]
    clients = await _owing_clients(platform, location, 12)

    async def listed(url: str) -> bool:
        return await _members(url, "owing-balance", location) == clients

    assert await eventually(lambda: listed(notifier.a.url), timeout=30), await _members(notifier.a.url, "owing-balance", location)
    assert await eventually(lambda: listed(notifier.b.url), timeout=WITHIN, interval=0.1), \
        f"B lists {len(await _members(notifier.b.url, 'owing-balance', location))} of {len(clients)}"


async def test_an_audience_made_on_a_is_listed_on_b_with_the_members_either_instance_folded(system, platform):
    location, notifier = ev.unique("loc"), system["notifier"]
    clients = await _owing_clients(platform, location, 12)
    assert await eventually(lambda: _are(_members(notifier.a.url, "owing-balance", location), clients), timeout=30)

    made = await _post(notifier.a.url, "/v1/audiences", {"name": "Owing more than 5", "location_ids": [location],
                                                         "condition": {"field": "account_balance_minor",
                                                                       "op": "lt", "value": -500}})
    assert made.status_code == 201, made.text
    audience_id = made.json()["audience_id"]

    async def listed_on_b() -> bool:
        items = (await _get(notifier.b.url, "/v1/audiences")).json()["items"]
        return any(a["audience_id"] == audience_id for a in items)

    assert await eventually(listed_on_b, timeout=WITHIN, interval=0.1)
    assert await eventually(lambda: _are(_members(notifier.a.url, audience_id, location), clients), timeout=10)
    assert await eventually(lambda: _are(_members(notifier.b.url, audience_id, location), clients), WITHIN, 0.1)


async def _are(read, wanted) -> bool:
    return await read == wanted


async def test_a_template_and_a_journey_made_on_a_are_listed_on_b(system):
    notifier = system["notifier"]
    template = await _post(notifier.a.url, "/v1/templates", {"name": ev.unique("tpl"), "subject": "Hi {{first_name}}",
                                                             "body": "You owe {{balance}}."})
    assert template.status_code == 201, template.text
    template_id = template.json()["template_id"]
    journey = await _post(notifier.a.url, "/v1/journeys", {"name": ev.unique("jrn"), "audience_id": "owing-balance",
                                                           "location_ids": [ev.unique("loc")],  # reaches no one else's client
                                                           "steps": [{"after": "PT1H", "template_id": template_id}]})
    assert journey.status_code == 201, journey.text
    journey_id = journey.json()["journey_id"]

    async def listed(path: str, field: str, wanted: str) -> bool:
        return any(item[field] == wanted for item in (await _get(notifier.b.url, path)).json()["items"])

    assert await eventually(lambda: listed("/v1/templates", "template_id", template_id), WITHIN, 0.1)
    assert await eventually(lambda: listed("/v1/journeys", "journey_id", journey_id), WITHIN, 0.1)


async def test_a_renamed_client_keeps_the_new_name_on_report_rows_written_by_either_instance(system, platform):
    """The clients and the credits topics are consumed in different groups, so one reports instance
    may store a client's new name while the other writes its account and package rows."""
    location, reports = ev.unique("loc"), system["reports"]
    clients = {ev.unique(f"ren{n}") for n in range(12)}
    for client in clients:
        await platform.publish(CLIENTS.name, ev.client_registered(location, client, first_name="Old"))
        await platform.publish(SALES.name, ev.account_transaction(location, client, "payment", 1000))

    async def names() -> dict[str, str]:
        rows = (await _get(reports.a.url, "/v1/reports/account-balances", location=location, limit=500)).json()
        return {r["client_id"]: r["full_name"] for r in rows.get("items", [])}

    assert await eventually(lambda: _are(names(), {c: "Old Lovelace" for c in clients}), timeout=30)
    for client in clients:
        await platform.publish(CLIENTS.name, {**ev.client_registered(location, client), "type": "client.updated",
                                              "first_name": "New"})
        await platform.publish(SALES.name, ev.account_transaction(location, client, "payment", 500))

    async def renamed_and_paid() -> bool:
        rows = (await _get(reports.a.url, "/v1/reports/account-balances", location=location, limit=500)).json()
        return {r["client_id"]: (r["full_name"], r["balance_minor"]) for r in rows.get("items", [])} == \
            {c: ("New Lovelace", 1500) for c in clients}

    assert await eventually(renamed_and_paid, timeout=30), await names()
