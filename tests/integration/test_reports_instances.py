"""Two reports instances writing one read model: the clients topic and the credits topic are
consumed in different groups, so one instance may store a client's profile while the other
writes the client's rows."""

import asyncio
from datetime import timedelta

import pytest

from services.reports.adapters.profiles import NewRowCopy
from services.reports.adapters.store import ReportsStore
from shared.contract.clients import ClientUpdated
from tests.integration.test_reports_store import T0, apply, entry, package, registered

pytestmark = pytest.mark.integration


def renamed(location: str, client: str, first: str, hours: int = 1) -> ClientUpdated:
    return ClientUpdated(event_id=f"e-ren-{first}-{hours}", occurred_at=T0 + timedelta(hours=hours),
                         location_id=location, client_id=client, first_name=first)


@pytest.fixture
async def two(db):
    a, b = ReportsStore(db), ReportsStore(db)
    await a.ensure_indexes()
    return a, b


async def test_a_row_written_by_one_instance_keeps_the_name_the_other_stored(two):
    a, b = two
    await apply(a, registered("l-1", "c-1", first="Old"))
    await apply(b, entry("l-1", "c-1", 1, 500, 500))  # B reads the profile while it is Old
    await apply(a, renamed("l-1", "c-1", "New"))

    await apply(b, entry("l-1", "c-1", 2, 500, 1000))

    account = await b.accounts.find_one({"_id": "l-1|c-1"})
    assert (account["full_name"], account["balance_minor"]) == ("New Lovelace", 1000)


async def test_a_profile_change_after_another_instance_changed_it_keeps_both(two):
    a, b = two
    await apply(a, registered("l-1", "c-1", first="Old", email="old@example.com"))
    await apply(b, renamed("l-1", "c-1", "New"))  # the clients partition moved to B for a while

    await apply(a, ClientUpdated(event_id="e-mail", occurred_at=T0 + timedelta(hours=2), location_id="l-1",
                                 client_id="c-1", email="new@example.com"))

    client = await a.clients.find_one({"_id": "l-1|c-1"})
    assert (client["first_name"], client["email"]) == ("New", "new@example.com")


async def test_a_new_row_carries_the_profile_another_instance_stored(two):
    a, b = two
    await apply(b, entry("l-1", "c-9", 1, 100, 100))  # B knows the client has no profile yet
    await apply(a, registered("l-1", "c-1", first="Ada"))

    await apply(b, entry("l-1", "c-1", 1, 700, 700))

    account = await b.accounts.find_one({"_id": "l-1|c-1"})
    assert account["full_name"] == "Ada Lovelace"


async def test_a_profile_stored_while_another_instance_inserts_the_clients_first_row_reaches_it(two, monkeypatch):
    a, b = two
    original = NewRowCopy.first

    async def copy_then_theirs(self):  # A stores the profile just after B has taken its copy
        given = await original(self)
        await apply(a, registered("l-1", "c-1", first="Ada"))
        return given

    monkeypatch.setattr(NewRowCopy, "first", copy_then_theirs)
    await apply(b, entry("l-1", "c-1", 1, 700, 700))

    account = await b.accounts.find_one({"_id": "l-1|c-1"})
    assert account["full_name"] == "Ada Lovelace"


async def test_a_new_package_row_written_while_the_other_instance_renamed_the_client_carries_the_new_name(two):
    a, b = two
    await apply(a, registered("l-1", "c-1", first="Old"))  # A remembers the profile as Old
    await apply(b, renamed("l-1", "c-1", "New"))

    await apply(a, package("l-1", "c-1", 1, 0))

    row = await a.packages.find_one({"client_id": "c-1"})
    assert (row["full_name"], row["first_name"]) == ("New Lovelace", "New")


async def test_a_profile_change_on_a_remembered_revision_another_instance_moved_on_loses_neither_change(two):
    a, b = two
    await apply(a, registered("l-1", "c-1", first="Old", phone="+15550100"))
    await apply(b, renamed("l-1", "c-1", "New"))
    await apply(a, renamed("l-1", "c-1", "Newer", hours=3))
    await apply(b, ClientUpdated(event_id="e-phone", occurred_at=T0 + timedelta(hours=2), location_id="l-1",
                                 client_id="c-1", phone="+15550199"))

    client = await a.clients.find_one({"_id": "l-1|c-1"})
    assert (client["first_name"], client["phone"], client["profile_rev"]) == ("Newer", "+15550199", 4)


async def test_two_instances_changing_one_profile_at_once_lose_neither_change_once_both_write_again(two):
    a, b = two
    await apply(a, registered("l-1", "c-1", first="Ada"))
    await apply(b, renamed("l-1", "c-1", "Ada", hours=1))  # both remember the same revision
    phone = ClientUpdated(event_id="e-phone", occurred_at=T0 + timedelta(hours=2), location_id="l-1",
                          client_id="c-1", phone="+15550199")
    email = ClientUpdated(event_id="e-mail", occurred_at=T0 + timedelta(hours=2), location_id="l-1",
                          client_id="c-1", email="ada@example.com")
    await asyncio.gather(apply(a, phone), apply(b, email))  # FerretDB may let both writes match

    await apply(a, renamed("l-1", "c-1", "Augusta", hours=3))
    await apply(b, ClientUpdated(event_id="e-last", occurred_at=T0 + timedelta(hours=4), location_id="l-1",
                                 client_id="c-1", last_name="King"))

    client = await a.clients.find_one({"_id": "l-1|c-1"})
    assert (client["first_name"], client["last_name"], client["phone"], client["email"]) == (
        "Augusta", "King", "+15550199", "ada@example.com")


async def test_a_batch_redelivered_to_an_instance_remembering_an_old_profile_leaves_the_new_name_on_the_rows(two):
    a, b = two
    registration = registered("l-1", "c-1", first="Old")
    await apply(a, registration, entry("l-1", "c-1", 1, 500, 500))  # A remembers the profile as Old
    await apply(b, renamed("l-1", "c-1", "New"))

    await apply(a, registration)

    account = await a.accounts.find_one({"_id": "l-1|c-1"})
    assert account["full_name"] == "New Lovelace"
