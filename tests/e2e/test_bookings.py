"""The bookings service through the real system: staff and platform facts in, a clean lifecycle
out, each booking's status following the credits service's answer."""

import asyncio
import json
import os
from collections import defaultdict

import httpx
import pytest

from shared.contract.bookings import BookingCreated
from shared.contract.topics import BOOKINGS, LIFECYCLE, SALES
from tests.conftest import START_OFFSETS, auth, consumer_groups
from tests.e2e.test_credits_flow import NEXT_MONTH, package_when
from tests.support import events as ev
from tests.support.kafka import end_offsets_of, eventually, group_offsets, read_topic, rewind_groups

pytestmark = pytest.mark.e2e


def _request(client: str, **fields) -> dict:
    return {"client_id": client, "session_id": "spin-1800", "session_name": "Evening Spin",
            "session_starts_at": NEXT_MONTH, **fields}


async def _post(system, path: str, body: dict | None = None, headers: dict | None = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=system["bookings"].url) as http:
        return await http.post(path, json=body or {}, headers=auth() if headers is None else headers)


async def _read(system, location: str, booking_id: str, headers: dict | None = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=system["bookings"].url) as http:
        return await http.get(f"/v1/locations/{location}/bookings/{booking_id}", headers=headers or auth())


async def status_when(system, location, booking_id, wanted: str, timeout: float = 10.0) -> dict:
    async def probe():
        response = await _read(system, location, booking_id)
        body = response.json() if response.status_code == 200 else {}
        return body if body.get("status") == wanted else None

    return await eventually(probe, timeout=timeout, interval=0.1) or (await _read(system, location, booking_id)).json()


async def book(system, location: str, client: str, **headers) -> str:
    response = await _post(system, f"/v1/locations/{location}/bookings", _request(client), {**auth(), **headers})
    assert response.status_code == 202, response.text
    return response.json()["booking_id"]


@pytest.fixture
async def client_with_pack(system, platform):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(SALES.name, ev.package_purchased(location, client, "pack-5", credits=5))
    assert await package_when(system, location, client, "pack-5", lambda p: True)
    return location, client


async def _lifecycle_of(servers, client: str) -> list[dict]:
    records = await read_topic(servers.kafka, LIFECYCLE.name, lambda r: r.key == client.encode())
    return [json.loads(r.value) for r in records]


async def _dead_letters(servers, event: dict) -> list[str]:
    records = await read_topic(servers.kafka, BOOKINGS.dead_letter, lambda r: event["event_id"].encode() in r.value)
    return [dict(r.headers)["x-error"].decode() for r in records]


async def test_a_staff_booking_is_booked_once_credits_reserves_it(system, client_with_pack):
    location, client = client_with_pack

    booking_id = await book(system, location, client)
    view = await status_when(system, location, booking_id, "booked", timeout=5)

    assert (view["status"], view["client_id"], view["reason"]) == ("booked", client, None)


async def test_a_client_without_credits_is_rejected_with_the_reason(system):
    location, client = ev.unique("loc"), ev.unique("cli")

    booking_id = await book(system, location, client)
    view = await status_when(system, location, booking_id, "rejected", timeout=5)

    assert (view["status"], view["reason"]) == ("rejected", "no_credits")


@pytest.mark.parametrize("move,body,wanted", [
    ("cancel", {"late": False}, "cancelled"), ("cancel", {"late": True}, "late_cancelled"),
    ("attend", None, "attended"), ("no-show", None, "no_show"),
], ids=["cancel", "late-cancel", "attend", "no-show"])
async def test_staff_end_a_booking_and_read_how_it_ended(system, client_with_pack, move, body, wanted):
    location, client = client_with_pack
    booking_id = await book(system, location, client)
    await status_when(system, location, booking_id, "booked")

    response = await _post(system, f"/v1/locations/{location}/bookings/{booking_id}/{move}", body)

    assert response.status_code == 202
    assert (await status_when(system, location, booking_id, wanted))["status"] == wanted


async def test_staff_cannot_attend_a_cancelled_booking_or_end_an_unknown_one(system, client_with_pack):
    location, client = client_with_pack
    booking_id = await book(system, location, client)
    await status_when(system, location, booking_id, "booked")
    await _post(system, f"/v1/locations/{location}/bookings/{booking_id}/cancel", {"late": False})
    await status_when(system, location, booking_id, "cancelled")

    attend = await _post(system, f"/v1/locations/{location}/bookings/{booking_id}/attend")
    unknown = await _post(system, f"/v1/locations/{location}/bookings/never-booked/attend")

    assert attend.status_code == 409 and "cancelled" in attend.json()["message"]
    assert unknown.status_code == 404
    assert (await _read(system, location, "never-booked")).status_code == 404


async def test_illegal_platform_facts_are_dead_lettered_and_the_next_fact_still_applies(
        system, platform, servers, client_with_pack):
    location, client = client_with_pack
    created = ev.booking_created(location, client, "b-1", NEXT_MONTH)
    illegal = [
        ev.booking_fact("booking.attended", location, client, "never-seen"),
        ev.booking_created(location, client, "b-1", NEXT_MONTH, session_id="another-session"),
    ]
    await platform.publish(BOOKINGS.name, created)
    await platform.publish(BOOKINGS.name, ev.booking_cancelled(location, client, "b-1", late=False))
    attend_cancelled = ev.booking_fact("booking.attended", location, client, "b-1")
    cancel_again = ev.booking_cancelled(location, client, "b-1", late=True)
    for event in [*illegal, attend_cancelled, cancel_again]:
        await platform.publish(BOOKINGS.name, event)
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-2", NEXT_MONTH))

    assert (await status_when(system, location, "b-2", "booked"))["status"] == "booked"
    assert (await status_when(system, location, "b-1", "cancelled"))["status"] == "cancelled"
    assert any("never-seen" in reason for reason in await _dead_letters(servers, illegal[0]))
    assert any("different content" in reason for reason in await _dead_letters(servers, illegal[1]))
    assert "cancelled; it cannot become attended" in " ".join(await _dead_letters(servers, attend_cancelled))
    assert "cancelled; it cannot become late_cancelled" in " ".join(await _dead_letters(servers, cancel_again))


async def test_the_lifecycle_topic_carries_each_accepted_fact_once_under_a_new_id(
        system, platform, servers, client_with_pack):
    location, client = client_with_pack
    created = ev.booking_created(location, client, "b-1", NEXT_MONTH)
    for _ in range(3):
        await platform.publish(BOOKINGS.name, created)
    await platform.publish(BOOKINGS.name, ev.booking_fact("booking.attended", location, client, "b-1"))
    await platform.publish(BOOKINGS.name, ev.booking_fact("booking.no_show", location, client, "b-1"))  # refused
    await status_when(system, location, "b-1", "attended")

    lifecycle = await _lifecycle_of(servers, client)

    assert sorted({(e["event_id"], e["type"]) for e in lifecycle}, key=lambda p: p[1]) == [
        (lifecycle[-1]["event_id"], "booking.attended"), (lifecycle[0]["event_id"], "booking.created")]
    assert lifecycle[0]["event_id"] != created["event_id"]
    handed_on = BookingCreated.model_validate(lifecycle[0])
    assert handed_on.model_copy(update={"event_id": created["event_id"]}) == BookingCreated.model_validate(created)


@pytest.mark.parametrize("headers,status", [
    ({}, 401), (auth(role="reporting"), 403), (auth(locations=["elsewhere"]), 403),
], ids=["no-token", "reporting-role", "other-location"])
async def test_bookings_need_an_admin_of_that_location(system, headers, status):
    response = await _post(system, "/v1/locations/loc-a/bookings", _request("c-1"), headers)

    assert response.status_code == status


async def test_a_session_start_without_an_offset_is_422_naming_the_field(system):
    response = await _post(system, "/v1/locations/loc-a/bookings", _request("c-1", session_starts_at="2030-01-01T10:00:00"))

    assert response.status_code == 422 and "session_starts_at" in response.json()["message"]


async def test_a_platform_booking_without_an_offset_is_dead_lettered_naming_the_field(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    event = ev.booking_created(location, client, "b-1", "2030-01-01T10:00:00")
    await platform.publish(BOOKINGS.name, event)

    assert any("session_starts_at" in reason for reason in await _dead_letters(servers, event))


async def test_reporting_staff_may_read_a_booking(system, client_with_pack):
    location, client = client_with_pack
    booking_id = await book(system, location, client)
    await status_when(system, location, booking_id, "booked")

    response = await _read(system, location, booking_id, auth(role="reporting", locations=[location]))

    assert response.status_code == 200 and response.json()["status"] == "booked"


async def test_a_repeated_idempotency_key_returns_the_same_booking(system, client_with_pack):
    location, client = client_with_pack
    key = {"Idempotency-Key": ev.unique("key")}

    first = await book(system, location, client, **key)
    second = await _post(system, f"/v1/locations/{location}/bookings", _request(client), {**auth(), **key})

    assert second.status_code == 202 and second.json()["booking_id"] == first
    assert second.headers["Idempotent-Replayed"] == "true"
    await status_when(system, location, first, "booked")
    assert (await package_when(system, location, client, "pack-5", lambda p: p["booked"] == 1))["available"] == 4


async def test_a_booking_for_a_session_already_past_is_accepted(system, client_with_pack):
    location, client = client_with_pack
    body = _request(client, session_starts_at="2026-01-05T09:00:00+01:00")

    response = await _post(system, f"/v1/locations/{location}/bookings", body)

    assert (await status_when(system, location, response.json()["booking_id"], "booked"))["status"] == "booked"


async def test_after_a_restart_a_booking_reads_and_moves_from_what_was_stored(system, client_with_pack):
    location, client = client_with_pack
    booking_id = await book(system, location, client)
    await status_when(system, location, booking_id, "booked")

    system["bookings"].kill_hard()  # the caches of owners and aggregates are gone
    system["bookings"].start()

    read = await _read(system, location, booking_id)
    assert read.status_code == 200 and read.json()["status"] == "booked"
    cancel = await _post(system, f"/v1/locations/{location}/bookings/{booking_id}/cancel", {"late": False})
    assert cancel.status_code == 202, cancel.text
    assert (await status_when(system, location, booking_id, "cancelled"))["status"] == "cancelled"


BOOKINGS_SENT = 150


async def test_killing_bookings_mid_stream_loses_nothing_and_doubles_nothing(system, platform, servers):
    location, client = ev.unique("loc"), ev.unique("cli")
    await platform.publish(SALES.name, ev.package_purchased(location, client, "big", credits=200))
    assert await package_when(system, location, client, "big", lambda p: True)

    async def stream() -> None:
        for i in range(BOOKINGS_SENT):
            await platform.publish(BOOKINGS.name, ev.booking_created(location, client, f"b-{i}", NEXT_MONTH))

    publishing = asyncio.create_task(stream())
    await asyncio.sleep(0.2)  # part-way through the stream
    system["bookings"].kill_hard()
    await publishing
    system["bookings"].start()

    assert await eventually(lambda: _all_booked(system, location, BOOKINGS_SENT), timeout=60)
    created = await _lifecycle_ids(servers, client, "booking.created")
    assert len(created) == BOOKINGS_SENT
    assert all(len(ids) == 1 for ids in created.values()), "a booking was handed on twice"


async def test_replaying_the_topics_from_the_start_changes_nothing(system, platform, servers, client_with_pack):
    location, client = client_with_pack
    for i in range(2):
        await platform.publish(BOOKINGS.name, ev.booking_created(location, client, f"b-{i}", NEXT_MONTH))
    await platform.publish(BOOKINGS.name, ev.booking_cancelled(location, client, "b-0", late=True))
    await status_when(system, location, "b-0", "late_cancelled")
    await status_when(system, location, "b-1", "booked")
    before = {e["event_id"] for e in await _lifecycle_of(servers, client)}

    groups = consumer_groups(os.environ["E2E_GROUP_PREFIX"], "bookings")
    system["bookings"].stop()
    await rewind_groups(servers.kafka, groups, {group: START_OFFSETS[group] for group in groups})
    system["bookings"].start()
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "marker", NEXT_MONTH))
    await status_when(system, location, "marker", "booked", timeout=120)

    after = [e for e in await _lifecycle_of(servers, client) if e.get("booking_id") != "marker"]
    assert {e["event_id"] for e in after} == before
    assert (await _read(system, location, "b-0")).json()["status"] == "late_cancelled"
    assert (await _read(system, location, "b-1")).json()["status"] == "booked"


async def _all_booked(system, location: str, count: int) -> bool:
    async with httpx.AsyncClient(base_url=system["bookings"].url) as http:
        for i in range(count):
            response = await http.get(f"/v1/locations/{location}/bookings/b-{i}", headers=auth())
            if response.status_code != 200 or response.json()["status"] != "booked":
                return False
    return True


async def _lifecycle_ids(servers, client: str, event_type: str) -> dict[str, set[str]]:
    by_booking: dict[str, set[str]] = defaultdict(set)
    for event in await _lifecycle_of(servers, client):
        if event["type"] == event_type:
            by_booking[event["booking_id"]].add(event["event_id"])
    return by_booking


def test_the_asyncapi_document_shows_what_bookings_consumes_and_the_lifecycle_it_publishes(system):
    spec = httpx.get(f"{system['bookings'].url}/asyncapi.json").json()

    addresses = {channel["address"] for channel in spec["channels"].values()}
    assert {BOOKINGS.name, "studio.credits.v1", LIFECYCLE.name} <= addresses
    assert "booking.cancelled" in str(spec["components"])


async def test_an_answer_stored_before_its_booking_converges_to_the_same_status(system, platform, servers,
                                                                                client_with_pack):
    """A bookings database restored empty reads the credits topic first: the answers are stored
    before the bookings they answer, then the platform facts arrive, and each status comes out
    as it was, with nothing handed on to credits twice."""
    location, client = client_with_pack
    for i in range(2):
        await platform.publish(BOOKINGS.name, ev.booking_created(location, client, f"b-{i}", NEXT_MONTH))
    await platform.publish(BOOKINGS.name, ev.booking_created(location, client, "b-none", "2099-01-05T09:00:00+00:00"))
    await status_when(system, location, "b-1", "booked")
    await status_when(system, location, "b-none", "rejected")

    bookings = system["bookings"]
    groups = consumer_groups(os.environ["E2E_GROUP_PREFIX"], "bookings")
    platform_group = next(g for g, topic in groups.items() if topic == BOOKINGS.name)
    credits_group = next(g for g, topic in groups.items() if topic != BOOKINGS.name)
    original_env = bookings.env
    bookings.stop()
    try:
        bookings.env = {**original_env, "DATABASE_PREFIX": f"{original_env['DATABASE_PREFIX']}restored"}
        # First the answers only: the platform topic is held at its end.
        await rewind_groups(servers.kafka, groups, {
            credits_group: START_OFFSETS[credits_group],
            platform_group: await end_offsets_of(servers.kafka, BOOKINGS.name)})
        bookings.start()
        answers_end = await end_offsets_of(servers.kafka, "studio.credits.v1")
        assert await eventually(lambda: _caught_up(servers, {credits_group: "studio.credits.v1"}, answers_end), timeout=60)
        assert (await _read(system, location, "b-1")).status_code == 404  # an answer alone is no booking
        bookings.stop()
        # Then the facts, from the start.
        await rewind_groups(servers.kafka, {platform_group: BOOKINGS.name}, {platform_group: START_OFFSETS[platform_group]})
        bookings.start()

        assert (await status_when(system, location, "b-0", "booked"))["status"] == "booked"
        assert (await status_when(system, location, "b-1", "booked"))["status"] == "booked"
        rejected = await status_when(system, location, "b-none", "rejected")
        assert rejected["status"] == "rejected" and rejected["reason"] == "no_credits"
    finally:
        bookings.stop()
        bookings.env = original_env
        bookings.start()
    package = await package_when(system, location, client, "pack-5", lambda p: True)
    assert (package["booked"], package["available"]) == (2, 3)  # the replayed lifecycle took nothing twice


async def _caught_up(servers, groups: dict[str, str], ends: dict[int, int]) -> bool:
    committed = (await group_offsets(servers.kafka, groups)).popitem()[1]
    return all(committed.get(p, 0) >= offset for p, offset in ends.items())
