"""The notifier judges each member on its location's today, and judges again at each local midnight."""

import uuid
from types import SimpleNamespace
from datetime import UTC, datetime, timedelta

from services.notifier.domain.conditions import Audience, Condition
from services.notifier.service_layer.catalog import Catalog
from services.notifier.service_layer.members import MEMBER, MemberChanges
from services.notifier.entrypoints.scheduler import Scheduler
from shared.contract.credits import PackageChanged
from shared.wiring.clock import ManualClock
from shared.aggregates.memory import InMemoryAggregates
from shared.zones import zone
from tests.unit.notifier.test_upkeep import FakeLocations, FakeStore

KIRITIMATI, GMT_MINUS_12 = zone("Pacific/Kiritimati"), zone("Etc/GMT+12")
# 11:00 UTC on 30 June 2026: 01:00 on 1 July in Kiritimati, 23:00 on 29 June at UTC-12.
AT = datetime(2026, 6, 30, 11, tzinfo=UTC)
TOMORROW_AT_THE_LATEST = Audience("soon", "Expiring by tomorrow", Condition("credits_expiring_within_days", "lte", 1))


def pack(location: str, client: str, expires_on: str) -> PackageChanged:
    return PackageChanged.model_validate({
        "event_id": uuid.uuid4().hex, "occurred_at": AT.isoformat(), "location_id": location, "client_id": client,
        "package_id": "p-1", "package_name": "10 classes", "version": 1, "credits_purchased": 10,
        "credits_adjusted": 0, "total": 10, "consumed": 0, "holds": [], "starts_on": "2026-01-01",
        "expires_on": expires_on})


class Members(MemberChanges):
    """The real member upkeep, recording which members the scheduler asked to judge again."""

    rejudged: list[list[str]]

    async def rejudge(self, keys, chunk: int = 500) -> None:
        self.rejudged.append(sorted(keys))
        await super().rejudge(keys, chunk)


class Store(FakeStore):
    """The steps in memory, and the expiry dates the scheduler reads from the member book."""

    def __init__(self, log: InMemoryAggregates) -> None:
        super().__init__()
        self.log, self.book = log, SimpleNamespace(expiries={})


def upkeep(clock: ManualClock, locations: FakeLocations) -> tuple[Members, Store]:
    store = Store(InMemoryAggregates(MEMBER))
    catalog = Catalog(store)
    catalog.audiences[TOMORROW_AT_THE_LATEST.id] = TOMORROW_AT_THE_LATEST
    members = Members(store.log, store, catalog, clock, locations)
    members.rejudged = []
    return members, store


def inside(store: Store, key: str) -> bool:
    return store.log.known(key).state["audiences"].get("soon", {}).get("in", False)


async def test_days_to_expiry_count_from_each_locations_own_today():
    locations = FakeLocations({"east": KIRITIMATI, "west": GMT_MINUS_12})
    members, store = upkeep(ManualClock(AT), locations)

    await members.apply_batch([pack("east", "c-1", "2026-07-02"), pack("west", "c-2", "2026-07-02"),
                               pack("utc", "c-3", "2026-07-01")])

    # East's today is 1 July (expiry in 1 day); west's 29 June (3 days); UTC's 30 June (1 day).
    assert (inside(store, "east|c-1"), inside(store, "west|c-2"), inside(store, "utc|c-3")) == (True, False, True)


async def scheduler(clock: ManualClock, locations: FakeLocations, *events) -> tuple[Scheduler, Members, Store]:
    members, store = upkeep(clock, locations)
    await members.apply_batch(events)
    store.book.expiries = {k: (v[-1].state["packages"][0]["expires_on"],) for k, v in store.log.log.items()}
    return Scheduler(store, members.catalog, None, clock, 1.0, members), members, store


async def test_members_are_judged_again_when_their_own_midnight_passes_and_not_before():
    clock, locations = ManualClock(AT), FakeLocations({"west": GMT_MINUS_12})
    sweeper, members, store = await scheduler(clock, locations, pack("west", "c-2", "2026-07-01"))
    await sweeper.rejudge_when_the_day_changes()  # at start: every member with an expiry
    assert not inside(store, "west|c-2") and members.rejudged == [["west|c-2"]]

    clock.set(datetime(2026, 6, 30, 11, 59, tzinfo=UTC))  # 23:59 on 29 June at UTC-12
    await sweeper.rejudge_when_the_day_changes()
    clock.set(datetime(2026, 6, 30, 12, 0, tzinfo=UTC))  # its 30 June begins
    await sweeper.rejudge_when_the_day_changes()

    assert members.rejudged == [["west|c-2"], ["west|c-2"]]
    assert inside(store, "west|c-2")


async def test_a_zone_that_arrives_later_judges_the_members_again_on_the_day_it_names():
    clock, locations = ManualClock(AT), FakeLocations()
    sweeper, members, store = await scheduler(clock, locations, pack("east", "c-1", "2026-07-02"))
    await sweeper.rejudge_when_the_day_changes()
    assert not inside(store, "east|c-1")  # judged in UTC: 30 June, two days to go

    locations.move("east", KIRITIMATI)
    await sweeper.rejudge_when_the_day_changes()

    assert inside(store, "east|c-1")


async def test_between_midnights_the_sweep_looks_at_nobody():
    clock = ManualClock(AT)
    sweeper, members, store = await scheduler(clock, FakeLocations({"east": KIRITIMATI}),
                                              pack("east", "c-1", "2026-07-02"))
    await sweeper.rejudge_when_the_day_changes()
    store.book.expiries = None  # touching them would fail

    clock.set(AT + timedelta(hours=9))  # 10:00 on 1 July in Kiritimati, 20:00 UTC: no midnight passed
    await sweeper.rejudge_when_the_day_changes()

    assert members.rejudged == [["east|c-1"]]


async def test_a_clock_moved_back_a_day_judges_the_members_again():
    clock = ManualClock(AT)
    sweeper, members, store = await scheduler(clock, FakeLocations({"east": KIRITIMATI}),
                                              pack("east", "c-1", "2026-07-02"))
    await sweeper.rejudge_when_the_day_changes()
    assert inside(store, "east|c-1")

    clock.set(AT - timedelta(days=2))  # 29 June in Kiritimati: three days to go
    await sweeper.rejudge_when_the_day_changes()

    assert not inside(store, "east|c-1")
