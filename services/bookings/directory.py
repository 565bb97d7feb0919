"""Which client a booking belongs to, per location: all a booking id in a URL leads to.

Entries are immutable and claimed by unique insert (`_id` = location|booking), so the first
client to use a booking id at a location owns it, and every lookup is an `_id` lookup.
"""

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

Claim = tuple[str, str, str]  # location_id, booking_id, client_id


def _entry_id(location_id: str, booking_id: str) -> str:
    return f"{location_id}|{booking_id}"


class BookingDirectory:
    def __init__(self, collection: AsyncCollection) -> None:
        self._entries = collection

    async def owner(self, location_id: str, booking_id: str) -> str | None:
        doc = await self._entries.find_one({"_id": _entry_id(location_id, booking_id)})
        return doc["client_id"] if doc else None

    async def claim(self, claims: list[Claim]) -> dict[Claim, str]:
        """Claim each booking id for its client; returns the claims another client already owns,
        with that owner."""
        if not claims:
            return {}
        docs = [{"_id": _entry_id(loc, booking), "client_id": client} for loc, booking, client in claims]
        try:
            await self._entries.insert_many(docs, ordered=False)
        except BulkWriteError as error:
            failures = error.details.get("writeErrors", [])
            if any(f.get("code") != 11000 for f in failures):
                raise
            return await self._taken([claims[f["index"]] for f in failures])
        return {}

    async def _taken(self, claims: list[Claim]) -> dict[Claim, str]:
        taken = {}
        for claim in set(claims):
            owner = await self.owner(claim[0], claim[1])
            if owner != claim[2]:
                taken[claim] = owner
        return taken
