"""Credits through the real system: platform events in, categorized credits and balances out."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from shared.contract.topics import BOOKINGS, CLIENTS, CREDITS, SALES
from tests.conftest import auth
from tests.support import events as ev
from tests.support.kafka import eventually, read_topic

pytestmark = pytest.mark.e2e

NEXT_MONTH = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()


async def credits_of(system, location, client) -> dict:
    async with httpx.AsyncClient(base_url=system["reports"].url) as http:
        response = await http.get(f"/v1/locations/{location}/clients/{client}/credits", headers=auth())
    return response.json() if response.status_code == 200 else {}


async def package_when(system, location, client, package_id, condition, timeout: float = 20.0):
    async def probe():
        body = await credits_of(system, location, client)
        package = next((p for p in body.get("packages", []) if p["package_id"] == package_id), None)
        return package if package and condition(package) else None

    return await eventually(probe, timeout=timeout)


@pytest.fixture
async def client_with_pack(system, platform):
    """A client whose 12-credit pack the credits service has applied (sales and bookings are
    separate topics with no order between them: a real client buys before booking)."""
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(CLIENTS.name, ev.client_registered(location, client))
    await platform.publish(SALES.name, ev.package_purchased(location, client, "pack-12", credits=12))
    assert await package_when(system, location, client, "pack-12", lambda p: True)
    return location, client


async def test_booking_next_month_shows_eleven_remaining_at_once(system, platform, client_with_pack):
    location, client = client_with_pack
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-1", NEXT_MONTH))

    package = await package_when(system, location, client, "pack-12", lambda p: p["booked"] == 1)

    assert (package["available"], package["booked"], package["used"]) == (11, 1, 0)


async def test_cancelling_without_penalty_returns_the_credit(system, platform, client_with_pack):
    location, client = client_with_pack
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-1", NEXT_MONTH))
    await platform.publish(BOOKINGS.name, ev.booking_cancelled(location, client, "b-1", late=False))

    package = await package_when(system, location, client, "pack-12",
                                 lambda p: p["available"] == 12 and p["booked"] == 0)

    assert package["used"] == 0


@pytest.mark.parametrize("ending", ["late_cancel", "booking.attended", "booking.no_show"])
async def test_late_cancel_attended_and_no_show_use_the_credit(system, platform, client_with_pack, ending):
    location, client = client_with_pack
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-1", NEXT_MONTH))
    end = (ev.booking_cancelled(location, client, "b-1", late=True) if ending == "late_cancel"
           else ev.booking_fact(ending, location, client, "b-1"))
    await platform.publish(BOOKINGS.name, end)

    package = await package_when(system, location, client, "pack-12", lambda p: p["used"] == 1)

    assert (package["available"], package["booked"]) == (11, 0)


async def test_a_redelivered_booking_takes_one_credit_only(system, platform, client_with_pack):
    location, client = client_with_pack
    booking = ev.booking_created(location, client, "b-1", NEXT_MONTH)
    for _ in range(3):
        await platform.publish(BOOKINGS.name, booking)
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-2", NEXT_MONTH))

    package = await package_when(system, location, client, "pack-12", lambda p: p["booked"] == 2)

    assert package["available"] == 10


async def test_attending_an_unknown_booking_is_dead_lettered(system, platform, servers, client_with_pack):
    location, client = client_with_pack
    event = ev.booking_fact("booking.attended", location, client, "never-booked")
    await platform.publish(BOOKINGS.name, event)

    dead = await read_topic(servers.kafka, BOOKINGS.dead_letter, lambda r: event["event_id"].encode() in r.value)

    assert "never-booked" in dict(dead[0].headers)["x-error"].decode()


async def test_a_booking_without_credits_is_rejected_with_its_reason(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-1", NEXT_MONTH))

    found = await read_topic(servers.kafka, CREDITS.name,
                             lambda r: r.key == client.encode() and b"credit.rejected" in r.value)

    assert b'"no_credits"' in found[0].value


async def _post(system, path, body, **kwargs):
    async with httpx.AsyncClient(base_url=system["credits"].url) as http:
        return await http.post(path, json=body, **kwargs)


async def test_staff_add_credits_to_a_package_and_see_the_new_total(system, client_with_pack):
    location, client = client_with_pack
    await package_when(system, location, client, "pack-12", lambda p: True)
    path = f"/v1/locations/{location}/clients/{client}/packages/pack-12/adjustments"

    response = await _post(system, path, {"action": "add", "credits": 2, "note": "make-good"}, headers=auth())

    assert response.status_code == 200 and response.json()["total"] == 14
    assert (await package_when(system, location, client, "pack-12", lambda p: p["total"] == 14))["available"] == 14


async def test_deducting_more_than_available_is_409_with_the_numbers(system, client_with_pack):
    location, client = client_with_pack
    await package_when(system, location, client, "pack-12", lambda p: True)
    path = f"/v1/locations/{location}/clients/{client}/packages/pack-12/adjustments"

    response = await _post(system, path, {"action": "deduct", "credits": 13}, headers=auth())

    assert response.status_code == 409
    assert "12" in response.json()["message"] and "13" in response.json()["message"]


async def test_a_repeated_idempotency_key_returns_the_first_result_and_changes_nothing(system, client_with_pack):
    location, client = client_with_pack
    await package_when(system, location, client, "pack-12", lambda p: True)
    path = f"/v1/locations/{location}/clients/{client}/packages/pack-12/adjustments"
    headers = {**auth(), "Idempotency-Key": ev.unique("key")}

    first = await _post(system, path, {"action": "deduct", "credits": 1}, headers=headers)
    second = await _post(system, path, {"action": "deduct", "credits": 1}, headers=headers)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and first.json()["available"] == 11


async def test_a_manual_money_adjustment_needs_a_note_and_returns_the_balance(system):
    location, client = ev.unique("loc"), ev.unique("cli")
    path = f"/v1/locations/{location}/clients/{client}/account/adjustments"

    missing = await _post(system, path, {"amount_minor": 500, "currency": "USD"}, headers=auth())
    done = await _post(system, path, {"amount_minor": 500, "currency": "USD", "note": "refund of a no-show"},
                       headers=auth())

    assert missing.status_code == 422 and "note" in missing.json()["message"]
    assert done.status_code == 200 and done.json() == {"balance_minor": 500, "currency": "USD"}


@pytest.mark.parametrize("headers,status", [
    ({}, 401), (auth(role="reporting"), 403), (auth(locations=["elsewhere"]), 403),
], ids=["no-token", "reporting-role", "other-location"])
async def test_adjustments_need_an_admin_of_that_location(system, headers, status):
    path = "/v1/locations/loc-a/clients/c-1/account/adjustments"

    response = await _post(system, path, {"amount_minor": 500, "currency": "USD", "note": "x"}, headers=headers)

    assert response.status_code == status


async def test_a_second_booking_created_with_other_content_is_dead_lettered_and_changes_nothing(
        system, platform, servers, client_with_pack):
    location, client = client_with_pack
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-1", NEXT_MONTH))
    await package_when(system, location, client, "pack-12", lambda p: p["booked"] == 1)
    conflicting = ev.booking_created(location, client, "b-1", NEXT_MONTH, session_id="another-session")
    await platform.publish(BOOKINGS.name, conflicting)

    dead = await read_topic(servers.kafka, BOOKINGS.dead_letter, lambda r: conflicting["event_id"].encode() in r.value)
    package = await package_when(system, location, client, "pack-12", lambda p: True)

    assert "b-1" in dict(dead[0].headers)["x-error"].decode()
    assert (package["available"], package["booked"]) == (11, 1)


@pytest.mark.parametrize("change,field", [({"credits": -3}, "credits"), ({"currency": "XXQ"}, "currency")],
                         ids=["negative-pack", "unknown-currency"])
async def test_a_sale_breaking_the_contract_is_dead_lettered_naming_the_field(system, platform, servers, change, field):
    location, client = ev.unique("loc"), ev.unique("cli")
    event = ({**ev.package_purchased(location, client, "p"), **change} if field == "credits"
             else {**ev.account_transaction(location, client, "payment", 500), **change})
    await platform.publish(SALES.name, event)

    dead = await read_topic(servers.kafka, SALES.dead_letter, lambda r: event["event_id"].encode() in r.value)

    assert field in dict(dead[0].headers)["x-error"].decode()


async def test_adding_two_credits_to_one_membership_period_changes_only_its_max(system, platform):
    location, client = ev.unique("loc"), ev.unique("cli")
    start = date.today().replace(day=1)
    await platform.publish(SALES.name, ev.membership_started(location, client, "m-8", starts_on=start.isoformat()))
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-1", NEXT_MONTH))
    await eventually(lambda: _periods(system, location, client))
    path = f"/v1/locations/{location}/clients/{client}/memberships/m-8/periods/{start.isoformat()}/adjustments"

    response = await _post(system, path, {"action": "add", "credits": 2, "note": "bring a friend"}, headers=auth())
    periods = await eventually(lambda: _periods(system, location, client, lambda ps: any(p["max"] == 10 for p in ps)))

    assert response.status_code == 200 and response.json()["max"] == 10
    assert {p["starts_on"]: p["max"] for p in periods}[start.isoformat()] == 10
    assert all(p["max"] == 8 for p in periods if p["starts_on"] != start.isoformat())


async def _periods(system, location, client, condition=lambda periods: bool(periods)):
    body = await credits_of(system, location, client)
    periods = [p for m in body.get("memberships", []) for p in m["periods"]]
    return periods if condition(periods) else None
