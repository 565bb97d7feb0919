"""Which client a booking belongs to, per location: all a booking id in a URL leads to.

Entries are immutable and claimed by unique insert (`_id` = location|booking), so the first
client to use a booking id at a location owns it. Because an entry never changes once stored,
every entry this process has claimed or read is also kept in memory: a remembered owner is
always the stored one, so a hit needs no round trip. Only stored entries are remembered, never
an absence: a miss, after a restart or an eviction, reads FerretDB again.
"""

from cachetools import LRUCache
from pymongo.asynchronous.collection import AsyncCollection

from shared.wiring.grouped_inserts import GroupedInserts

Claim = tuple[str, str, str]  # location_id, booking_id, client_id


def _entry_id(location_id: str, booking_id: str) -> str:
    return f"{location_id}|{booking_id}"


class BookingDirectory:
    def __init__(self, collection: AsyncCollection, cache_size: int = 100_000) -> None:
        self._entries = collection
        self._known: LRUCache[str, str] = LRUCache(cache_size)  # entry id -> client
        self._inserts = GroupedInserts(collection)  # a staff POST's claim shares a call with others

    async def owner(self, location_id: str, booking_id: str) -> str | None:
        entry = _entry_id(location_id, booking_id)
        client = self._known.get(entry)
        if client is None:
            doc = await self._entries.find_one({"_id": entry})
            client = doc["client_id"] if doc else None
            if client is not None:
                self._known[entry] = client
        return client

    async def claim(self, claims: list[Claim]) -> dict[Claim, str]:
        """Claim each booking id for its client; returns the claims another client already owns,
        with that owner."""
        taken, unknown = {}, []
        for claim in dict.fromkeys(claims):
            owner = self._known.get(_entry_id(claim[0], claim[1]))
            if owner is None:
                unknown.append(claim)
            elif owner != claim[2]:
                taken[claim] = owner
        return taken | await self._insert(unknown)

    async def _insert(self, claims: list[Claim]) -> dict[Claim, str]:
        docs = [{"_id": _entry_id(loc, booking), "client_id": client} for loc, booking, client in claims]
        stored = await self._inserts.insert_all(docs)
        for claim, new in zip(claims, stored):
            if new:
                self._known[_entry_id(claim[0], claim[1])] = claim[2]
        return await self._taken([claim for claim, new in zip(claims, stored) if not new])

    async def _taken(self, claims: list[Claim]) -> dict[Claim, str]:
        """The owners of entries stored already (before a restart, by another instance or by a
        racing claim): one lookup each, then remembered."""
        taken = {}
        for claim in claims:
            owner = await self.owner(claim[0], claim[1])
            if owner != claim[2]:
                taken[claim] = owner
        return taken
