"""A service's copy of the locations it serves: names and zones folded from `studio.locations.v1`.

One document per location (`_id` = location_id) holds the folded record (shared.locations), and
every record lives in memory: a brand has tens of locations, and each event a service judges asks
for its location's zone. The subscriber of this process updates the memory as it writes; what
another instance wrote arrives with `refresh()`, which `follow()` runs every second (one read of
a collection of tens of documents), and with `learn()` before events of a location this process
has not looked for yet.

A write folds the event onto the stored document (read by `_id`), not onto the memory: the fields
are last-writer-wins registers, so the stored record ends the same whichever instance wrote first.
"""

import asyncio
from collections.abc import Iterable
from datetime import tzinfo

from pymongo.asynchronous.collection import AsyncCollection

from shared.contract.locations import LocationRegistered, LocationUpdated
from shared.locations import folded, zone_of

# A refresh reads every location in one command. The server's first batch is 101 documents by
# default and the rest comes by `getMore`: a topic shared by many runs (the tests, the
# benchmarks) folds hundreds of locations, so each refresh was two round trips.
WHOLE_BATCH = 10_000
# Ids looked for and not found are remembered so that a location nobody registered (clients of a
# studio not registered yet) is not read again on every batch; past this many the memory starts
# over, which costs one more read per id.
LOOKED_FOR_CAP = 10_000


class LocationBook:
    def __init__(self, collection: AsyncCollection) -> None:
        self._docs = collection
        self._known: dict[str, dict] = {}
        self._looked_for: set[str] = set()  # unknown ids a refresh has already been made for
        self.version = 0  # grows whenever a record this process holds changes

    async def refresh(self) -> None:
        records = {d["_id"]: _record(d) async for d in self._docs.find({}, batch_size=WHOLE_BATCH)}
        if records != self._known:
            self._known, self.version = records, self.version + 1

    async def learn(self, location_ids: Iterable[str]) -> None:
        """Before judging events of these locations: one unknown here may have been stored by
        another instance a moment ago (its registration is consumed by one instance only). Each id
        is looked for once: one still unknown after that is left to `follow()`."""
        new = {i for i in location_ids if i not in self._known and i not in self._looked_for}
        if new:
            await self.refresh()
            if len(self._looked_for) + len(new) > LOOKED_FOR_CAP:
                self._looked_for.clear()
            self._looked_for |= {i for i in new if i not in self._known}

    async def follow(self, every: float = 1.0) -> None:
        """Background job: what other instances stored is known here within `every` seconds."""
        while True:
            await asyncio.sleep(every)
            await self.refresh()

    async def apply(self, events: Iterable[LocationRegistered | LocationUpdated]) -> list:
        """Fold each location's events onto its stored record and store it; returns the refused
        ones (none: a valid location event breaks no rule)."""
        by_location: dict[str, list] = {}
        for event in events:
            by_location.setdefault(event.location_id, []).append(event)
        for location_id, mine in by_location.items():
            await self._apply(location_id, mine)
        return []

    async def _apply(self, location_id: str, events: list) -> None:
        stored = await self._docs.find_one({"_id": location_id})
        record = _record(stored) if stored else None
        for event in events:
            record = folded(record, event)
        if stored is None or record != _record(stored):
            await self._docs.replace_one({"_id": location_id}, record, upsert=True)
        if self._known.get(location_id) != record:
            self._known[location_id] = record
            self.version += 1

    def record(self, location_id: str) -> dict | None:
        return self._known.get(location_id)

    def records(self) -> dict[str, dict]:
        return dict(self._known)

    def zone(self, location_id: str) -> tzinfo:
        """The location's zone in force; UTC while it is not known."""
        return zone_of(self._known.get(location_id))


def _record(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_id"}
