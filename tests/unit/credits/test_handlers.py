"""The credits service's use cases over the in-memory unit of work: no database, no broker."""

from datetime import UTC

from services.credits.service_layer.handlers import CreditsHandlers
from services.credits.adapters.store import CLIENT_CREDITS
from shared.wiring.clock import ManualClock
from shared.aggregates.memory import InMemoryAggregates
from tests.unit.credits.factories import CLIENT, LOCATION, NOW, STAFF, booking_created, package_purchased, transaction


class InMemoryCredits:
    """The store of the credits service, in memory: its aggregates and the sweeper's question."""

    def __init__(self) -> None:
        self.aggregates = InMemoryAggregates(CLIENT_CREDITS)

    async def due_for_expiry(self, now, zones) -> list[tuple[str, str]]:
        due = []
        for key in self.aggregates.log:
            owner = tuple(key.split("|"))
            client = await self.aggregates.read(*owner)
            expiry = client.next_credit_expiry(zones(owner[0]))
            if expiry is not None and expiry <= now:
                due.append(owner)
        return due


class UtcEverywhere:
    def zone(self, location_id: str):
        return UTC

    async def learn(self, location_ids) -> None:
        pass


def handlers() -> CreditsHandlers:
    return CreditsHandlers(InMemoryCredits(), ManualClock(NOW), UtcEverywhere())


async def test_a_batch_changes_each_client_once_and_publishes_what_the_domain_decided():
    credits = handlers()
    other = {"client_id": "client-2"}

    refused = await credits.apply_batch([package_purchased(credits=10), booking_created(),
                                         package_purchased(**other)])

    store = credits.store.aggregates
    assert refused == [] and store.commits == 1
    assert [len(versions) for versions in store.log.values()] == [1, 1]
    assert "credit.reserved" in [e["type"] for e in store.published]
    assert (await store.read(LOCATION, CLIENT)).package_view("pkg-1", NOW)["available"] == 9


async def test_an_event_that_breaks_a_rule_is_refused_and_the_rest_of_its_client_still_applies():
    credits = handlers()

    refused = await credits.apply_batch([
        transaction("tx-1", "payment", 500, currency="EUR"),
        transaction("tx-2", "payment", 500, currency="USD"),  # the account is in euros
        transaction("tx-3", "payment", 700, currency="EUR"),
    ])

    assert [event.transaction_id for event, _ in refused] == ["tx-2"]
    assert (await credits.store.aggregates.read(LOCATION, CLIENT)).balance()["balance_minor"] == 1200


async def test_a_staff_adjustment_beaten_by_another_writer_is_decided_again_on_what_it_wrote():
    credits = handlers()
    await credits.apply_batch([transaction("tx-1", "payment", 500)])
    ahead = await credits.store.aggregates.read(LOCATION, CLIENT)
    ahead.adjust_account(amount_minor=300, currency="EUR", note="gift card", actor=STAFF, command_id="cmd-other",
                         now=NOW, zone=UTC)
    credits.store.aggregates.rival((LOCATION, CLIENT), ahead.to_document())

    balance = await credits.adjust_account(LOCATION, CLIENT, amount_minor=-200, currency="EUR", note="towel",
                                           actor=STAFF, command_id="cmd-1")

    assert balance["balance_minor"] == 600  # 500 + 300 by the other writer - 200
    assert (await credits.store.aggregates.read(LOCATION, CLIENT)).balance()["balance_minor"] == 600


async def test_a_batch_that_loses_one_client_to_another_writer_redoes_only_that_client():
    credits = handlers()
    store = credits.store.aggregates
    await credits.apply_batch([transaction("tx-1", "payment", 500, client_id="a"),
                               transaction("tx-2", "payment", 500, client_id="b")])
    ahead = await store.read(LOCATION, "b")
    ahead.adjust_account(amount_minor=100, currency="EUR", note="n", actor=STAFF, command_id="c", now=NOW, zone=UTC)
    store.rival((LOCATION, "b"), ahead.to_document())
    published = len(store.published)

    await credits.apply_batch([transaction("tx-3", "payment", 10, client_id="a"),
                               transaction("tx-4", "payment", 10, client_id="b")])

    entries = [e for e in store.published[published:] if e["type"] == "account.entry_recorded"]
    assert sorted(e["client_id"] for e in entries) == ["a", "b"]  # each once, though "b" was tried twice
    assert (await store.read(LOCATION, "b")).balance()["balance_minor"] == 610
