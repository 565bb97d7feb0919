"""A service's LocationBook reads the store only when it must: a location it has never looked for,
or the background refresh; a store of its own in memory stands in for the collection."""

from datetime import UTC, datetime

from shared.contract.locations import LocationRegistered
from shared.wiring import locations as book_module
from shared.wiring.locations import LocationBook
from shared.zones import zone

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


class Locations:
    """The few calls a LocationBook makes on its collection, counting the whole-collection reads."""

    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}
        self.reads = 0

    def find(self, _filter: dict, batch_size: int = 0):
        self.reads += 1
        return _cursor([{"_id": key, **doc} for key, doc in self.docs.items()])

    async def find_one(self, query: dict) -> dict | None:
        doc = self.docs.get(query["_id"])
        return {"_id": query["_id"], **doc} if doc else None

    async def replace_one(self, query: dict, record: dict, upsert: bool) -> None:
        self.docs[query["_id"]] = dict(record)


async def _cursor(docs: list[dict]):
    for doc in docs:
        yield doc


def registered(location_id: str, time_zone: str = "Pacific/Kiritimati") -> LocationRegistered:
    return LocationRegistered(event_id=f"loc-{location_id}", occurred_at=T0, location_id=location_id,
                              name=location_id.title(), time_zone=time_zone)


async def test_a_location_nobody_registered_is_looked_for_once_not_on_every_batch():
    store = Locations()
    book = LocationBook(store)

    for _ in range(5):
        await book.learn({"unregistered"})

    assert store.reads == 1 and book.zone("unregistered") is UTC


async def test_a_location_already_known_is_not_looked_for():
    store = Locations()
    book = LocationBook(store)
    await book.apply([registered("east")])

    await book.learn(["east", "east"])

    assert store.reads == 0


async def test_a_location_another_instance_stored_is_known_before_its_first_events_are_judged():
    store = Locations()
    here, there = LocationBook(store), LocationBook(store)
    await here.learn({"west"})
    await there.apply([registered("east")])

    await here.learn({"west", "east"})

    assert here.zone("east") is zone("Pacific/Kiritimati") and store.reads == 2


async def test_a_location_looked_for_in_vain_is_known_after_the_background_refresh():
    store = Locations()
    here, there = LocationBook(store), LocationBook(store)
    await here.learn({"east"})
    await there.apply([registered("east")])

    await here.learn({"east"})
    assert here.zone("east") is UTC  # looked for already: left to the refresh
    await here.refresh()

    assert here.zone("east") is zone("Pacific/Kiritimati")


async def test_past_the_cap_the_ids_looked_for_are_forgotten_and_looked_for_once_more(monkeypatch):
    monkeypatch.setattr(book_module, "LOOKED_FOR_CAP", 3)
    store = Locations()
    book = LocationBook(store)
    for location_id in ("a", "b", "c"):
        await book.learn({location_id})
    await book.learn({"d"})  # over the cap: the memory starts over with "d"

    await book.learn({"a"})
    await book.learn({"d"})

    assert store.reads == 5
