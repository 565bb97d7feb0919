"""Every member of the notifier in memory: the cache of its members' version log, and the
index of who is inside each audience at each location."""

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

import bson
from bson.codec_options import CodecOptions
from pymongo.asynchronous.collection import AsyncCollection
from sortedcontainers import SortedSet

from services.notifier.domain.members import member_key
from services.notifier.domain.upkeep import expiry_dates
from shared.aggregates.latest_versions import TRUST_FOR
from shared.aggregates.versions import Version

BSON = CodecOptions(tz_aware=True)


class MemberBook:
    """Every member's latest version, in memory (BSON bytes: a few hundred bytes each), indexed by
    audience and location: the notifier's reads never query the database.

    It is the cache of the members' AggregateStore (the unit of work writes through it), and is
    loaded whole at start. Another instance's write to a member it also holds makes this one's
    next insert lose, which reads the stored version (AggregateStore.commit).

    Like LatestVersions it trusts a version for writing only `trust_for` after it was loaded,
    written or learnt from the feed: the compactor deletes superseded versions, and a number it
    deleted could be won again by a writer still believing in the version before it
    (shared.aggregates.compaction). Reads (pages, counts) use every member, trusted or not.
    """

    def __init__(self, log: AsyncCollection, now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 trust_for: timedelta = TRUST_FOR) -> None:
        self._log, self._now, self._trust_for = log, now, trust_for
        self._latest: dict[str, tuple[int, bytes]] = {}
        self._confirmed: dict[str, datetime] = {}  # key -> when its latest version here was known to be the latest
        self._unpublished: dict[str, Version] = {}  # the latest version, while its events are not out
        # audience id -> location id -> client ids inside, sorted: pages and counts per location
        self._inside: dict[str, dict[str, SortedSet]] = {}
        self.expiries: dict[str, tuple[str, ...]] = {}  # key -> its packages' expiry dates
        self._locations: set[str] = set()

    async def load(self) -> int:
        """Read the whole log (the outbox's relay publishes what a crash left pending)."""
        async for doc in self._log.find({}, {"key": 1, "version": 1, "state": 1}):
            if doc.get("state") is not None:  # not a compacted first version's stub
                self._put(doc["key"], doc["version"], doc["state"])
        return len(self._latest)

    def member(self, key: str) -> dict | None:
        entry = self._latest.get(key)
        return bson.decode(entry[1], BSON) if entry else None

    # The cache of shared.aggregates.store (what LatestVersions is for the other services):

    def get(self, key: str) -> Version | None:
        """The latest version to write on, if known recently enough (else the writer reloads it)."""
        if self.stale(key):
            return None
        if key in self._unpublished:
            return self._unpublished[key]
        entry = self._latest.get(key)
        return Version(key, entry[0], self.member(key), [], True) if entry else None

    def stale(self, key: str) -> bool:
        """Known, but too long ago to write on: worth a reload (shared.aggregates.store.hold)."""
        confirmed = self._confirmed.get(key)
        return confirmed is not None and not timedelta(0) <= self._now() - confirmed <= self._trust_for

    def put(self, version: Version, confirmed: datetime | None = None) -> None:
        """A version loaded, written, or learnt from the feed (`confirmed`: when its writer stored it)."""
        if version.state is None:
            return
        self._put(version.key, version.number, version.state, confirmed)
        if version.published:
            self._unpublished.pop(version.key, None)
        elif self._latest[version.key][0] == version.number:
            self._unpublished[version.key] = version

    def published(self, version: Version) -> None:
        known = self._unpublished.get(version.key)
        if known is not None and known.number == version.number:
            del self._unpublished[version.key]

    def forget(self, key: str) -> None:
        """Nothing: the book holds every member, and the stored version read next replaces it."""

    def keys(self) -> list[str]:
        return list(self._latest)

    def locations(self) -> frozenset[str]:
        """Every location with a member."""
        return frozenset(self._locations)

    def inside(self, audience_id: str, locations: Iterable[str] | None = None) -> Iterator[dict]:
        """Members inside, by location then client; `locations` None: every location."""
        for location_id, clients in self._locations_of(audience_id, locations):
            for client_id in clients:
                yield self.member(member_key(location_id, client_id))

    def counts(self, audience_id: str, locations: Iterable[str] | None = None) -> dict[str, int]:
        """How many members are inside, per location (locations without members left out)."""
        return {location_id: len(clients) for location_id, clients in self._locations_of(audience_id, locations)
                if clients}

    def page(self, audience_id: str, locations: Iterable[str] | None, after: tuple[str, str] | None,
             limit: int) -> list[dict]:
        """Up to `limit` members inside after the (location, client) `after`, in that order."""
        found: list[dict] = []
        for location_id, clients in self._locations_of(audience_id, locations):
            if after and location_id < after[0]:
                continue
            start = clients.irange(after[1], inclusive=(False, True)) if after and location_id == after[0] else clients
            for client_id in start:
                if len(found) == limit:
                    return found
                found.append(self.member(member_key(location_id, client_id)))
        return found

    def _locations_of(self, audience_id: str, locations: Iterable[str] | None) -> list[tuple[str, SortedSet]]:
        by_location = self._inside.get(audience_id, {})
        wanted = sorted(by_location if locations is None else set(locations))
        return [(location_id, by_location[location_id]) for location_id in wanted if location_id in by_location]

    def _put(self, key: str, number: int, member: dict, confirmed: datetime | None = None) -> None:
        known = self._latest.get(key)
        if known is not None and known[0] > number:
            return
        self._latest[key] = (number, bson.encode({**member, "_id": key}))
        self._confirmed[key] = confirmed or self._now()
        self._locations.add(member["location_id"])
        for audience_id, state in member.get("audiences", {}).items():
            clients = self._inside.setdefault(audience_id, {}).setdefault(member["location_id"], SortedSet())
            (clients.add if state.get("in") else clients.discard)(member["client_id"])
        if dates := expiry_dates(member):
            self.expiries[key] = dates
        else:
            self.expiries.pop(key, None)
