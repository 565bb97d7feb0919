"""A client's updates published out of order through the running system: the reports' rows and the
notifier's member end with the newest value of each field, whatever came last."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.contract.topics import CLIENTS
from tests.conftest import auth
from tests.e2e.test_notifier import get, member_of, owing_client
from tests.support import events as ev
from tests.support.kafka import eventually

pytestmark = pytest.mark.e2e


def update_at(location: str, client: str, at: datetime, **fields) -> dict:
    return {**ev._envelope("client.updated", location, client, at.isoformat()), **fields}


async def balance_row(system, location: str, client: str) -> dict | None:
    async with httpx.AsyncClient(base_url=system["reports"].url, headers=auth()) as http:
        response = await http.get("/v1/reports/account-balances", params={"location": location})
    items = response.json()["items"] if response.status_code == 200 else []
    return next((row for row in items if row["client_id"] == client), None)


async def test_an_older_update_published_after_a_newer_one_does_not_revert_the_email(system, platform):
    location, client = ev.unique("loc-order"), ev.unique("cli")
    now = datetime.now(UTC)
    await owing_client(platform, location, client, email="first@example.com")
    newest = update_at(location, client, now + timedelta(seconds=2), email="newest@example.com", last_name="Byron")
    older = update_at(location, client, now + timedelta(seconds=1), email="older@example.com", phone="555")
    for event in (newest, older, older):  # newest first, then an older one, redelivered
        await platform.publish(CLIENTS.name, event)
    marker = update_at(location, client, now + timedelta(seconds=3), first_name="Augusta")  # all before it are in

    await platform.publish(CLIENTS.name, marker)

    async def settled_row():
        row = await balance_row(system, location, client)
        return row if row and row["full_name"] == "Augusta Byron" else None

    async def settled_member():
        items = (await get(system, "/v1/audiences/owing-balance/members", location=location)).get("items", [])
        return next((m for m in items if m["client_id"] == client and m["full_name"] == "Augusta Byron"), None)

    assert await member_of(system, "owing-balance", location, client)
    row, member = await eventually(settled_row, timeout=30), await eventually(settled_member, timeout=30)
    assert row is not None and row["email"] == "newest@example.com"
    assert member is not None and member["email"] == "newest@example.com"
