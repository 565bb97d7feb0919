"""Client profiles in the reports' store (the real database): the newest event of each field wins
across batches, and rows written before the stamps were kept go on working."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.reports.service_layer.projector import Projector
from services.reports.adapters.store import ReportsStore
from shared.contract.clients import ClientRegistered, ClientUpdated
from shared.contract.credits import AccountEntryRecorded

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def registered(at: datetime = T0, **fields) -> ClientRegistered:
    return ClientRegistered(**{"event_id": "e-reg", "occurred_at": at, "location_id": "l-1", "client_id": "c-1",
                               "first_name": "Ada", "last_name": "Lovelace", "email": "ada@old.example",
                               "join_date": date(2026, 1, 15), **fields})


def updated(event_id: str, at: datetime, **fields) -> ClientUpdated:
    return ClientUpdated(event_id=event_id, occurred_at=at, location_id="l-1", client_id="c-1", **fields)


def paid(sequence: int = 1) -> AccountEntryRecorded:
    return AccountEntryRecorded(event_id=f"e-pay-{sequence}", occurred_at=T0, location_id="l-1", client_id="c-1",
                                entry_id=f"le-{sequence}", sequence=sequence, entry_type="Payment", amount_minor=500,
                                balance_after_minor=500 * sequence, credit_balance_minor=500 * sequence,
                                currency="USD", at=T0)


@pytest.fixture
async def store(db):
    store = ReportsStore(db)
    await store.ensure_indexes()
    return store


async def row(store: ReportsStore, collection: str = "clients") -> dict:
    return await store.rows(collection).find_one({"_id": "l-1|c-1"})


async def test_an_older_update_redelivered_in_a_later_batch_does_not_revert_the_email(store):
    await Projector(store).apply([registered(), paid()])
    await Projector(store).apply([updated("e-new", T0 + timedelta(hours=2), email="ada@new.example")])
    await Projector(store).apply([updated("e-old", T0 + timedelta(hours=1), email="ada@mid.example", phone="555")])
    await Projector(store).apply([updated("e-new", T0 + timedelta(hours=2), email="ada@new.example")])

    client, account = await row(store), await row(store, "accounts")
    assert (client["email"], client["phone"]) == ("ada@new.example", "555")
    assert (account["email"], account["full_name"]) == ("ada@new.example", "Ada Lovelace")


async def test_a_registration_arriving_after_an_update_keeps_the_update_where_it_is_newer(store):
    await Projector(store).apply([updated("e-u", T0 + timedelta(hours=1), last_name="Byron", email=None)])
    await Projector(store).apply([registered()])

    client = await row(store)
    assert (client["first_name"], client["last_name"], client["email"], client["full_name"]) == \
        ("Ada", "Byron", None, "Ada Byron")


async def test_a_row_stored_before_stamps_keeps_its_values_until_an_event_sets_them(store):
    legacy = {"_id": "l-1|c-1", "location_id": "l-1", "client_id": "c-1", "first_name": "Ada",
              "last_name": "Lovelace", "email": "ada@old.example", "phone": "555", "join_date": "2026-01-15",
              "email_opt_out": True, "full_name": "Ada Lovelace"}
    await store.clients.insert_one(legacy)

    await Projector(store).apply([updated("e-u", T0 - timedelta(days=365), email="ada@new.example")])

    client = await row(store)
    assert (client["email"], client["phone"], client["email_opt_out"]) == ("ada@new.example", "555", True)
