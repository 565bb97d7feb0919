"""A client's profile row in the reports and its copies on the client's rows, written by optimistic
concurrency: any number of instances write them, each remembering the profiles it last read or wrote.

The row carries a revision, `profile_rev`. A write names the revision its writer knows
(`{"_id": key, "profile_rev": rev}`, two top-level equalities FerretDB hands to PostgreSQL) and sets
the next one; matching nothing means another writer got there first, so the row is read, merged
again (the fold's fields are last-writer-wins registers: merges commute) and written again. So a
remembered profile costs no read, and an old one costs one miss, never a lost change.

FerretDB 1.24 runs an update as a read in Go and a write back, so two writers at the very same
instant can both match one revision (MongoDB cannot). That is the window the read-then-write had
before the revision; only a partition hand-over lets two instances write one client at once, and
a writer's next miss merges back what it had written (docs/instances.md).
"""

from collections.abc import MutableMapping
from dataclasses import dataclass

from pymongo.asynchronous.collection import AsyncCollection

from services.reports.adapters.generations import Generational
from services.reports.domain.folding import Owner, row_key
from services.reports.domain.profiles import profile_fields, stored_profile
from shared.profiles import combined
from shared.wiring.mongo import is_duplicate_key

PROFILE_COPY = ("first_name", "last_name", "full_name", "email", "phone", "join_date", "search",
                "sort_first_name", "sort_last_name", "sort_full_name", "sort_email")
DERIVED = ("full_name", "search", "sort_first_name", "sort_last_name", "sort_full_name", "sort_email")
REV = "profile_rev"
PROFILES_CACHED = 100_000  # per generation
ATTEMPTS = 10  # each miss means another writer stored a change: ten in a row is not a race


@dataclass(frozen=True)
class Stored:
    """A client's row as this writer last read or wrote it."""

    doc: dict  # without `_id`; {}: no row
    rev: int | None  # None: no row; 0: a row stored before revisions were kept

    def copy(self) -> dict:
        """What the client's report rows carry of it, with the revision it came from."""
        return {**{f: self.doc.get(f) for f in PROFILE_COPY}, REV: self.rev or 0}


Remembered = MutableMapping[str, Stored]  # client key -> its row as last read or written (an LRU)


class ProfileContended(TimeoutError):
    """Other writers changed the profile at every try: waited out like an outage, then tried again."""


async def read(clients: AsyncCollection, cache: Remembered, key: str) -> Stored:
    doc = await clients.find_one({"_id": key})
    stored = Stored({f: v for f, v in doc.items() if f != "_id"}, doc.get(REV, 0)) if doc else Stored({}, None)
    cache[key] = stored
    return stored


async def known(clients: AsyncCollection, cache: Remembered, key: str) -> Stored:
    return cache.get(key) or await read(clients, cache, key)


async def apply_profile(view: Generational, cache: Remembered, owner: Owner, folded: dict) -> None:
    """Merge a batch's fold of the client's events into the stored profile, then copy it onto the
    client's rows (the profile may arrive after them: another topic)."""
    key = row_key(*owner)
    stored = await known(view.clients, cache, key)
    for _ in range(ATTEMPTS):
        fields = _merged(stored, owner[1], folded)
        if stored.rev is not None and all(stored.doc.get(f) == v for f, v in fields.items()):
            break  # nothing new (a redelivery): the revision stays, other writers' copies stay good
        written = await _write(view.clients, key, owner, stored, fields)
        if written is not None:
            stored = cache[key] = written
            break
        cache.pop(key, None)  # another writer's revision: what this one remembered is old
        # ... but what it remembered goes into the merge too: on FerretDB another writer's write
        # at the same instant may have been written back over it (it holds only events' values)
        folded = combined(folded, stored.doc)
        stored = await read(view.clients, cache, key)
    else:
        raise ProfileContended(f"the profile {key} changed at each of {ATTEMPTS} tries")
    # The copy is made again even when nothing changed: the writer that stored it may have
    # stopped before its copy; a copy never replaces a newer one, so this is always safe.
    older = older_copies(stored.rev or 0)
    await view.packages.update_many({"location_id": owner[0], "client_id": owner[1], **older},
                                    {"$set": stored.copy()})
    await view.accounts.update_one({"_id": key, **older}, {"$set": stored.copy()})


def older_copies(rev: int) -> dict:
    """Rows whose copy is older than `rev` (rows copied before revisions were kept have none); two
    writers' copies may land in either order, and the newer one must stay."""
    return {REV: {"$not": {"$gte": rev}}}


def _merged(stored: Stored, client_id: str, folded: dict) -> dict:
    # the client id is searched too, so the derived fields need it from the first write on
    profile = stored_profile({**stored.doc, "client_id": client_id}, folded)
    return {**profile_fields(profile), **{f: profile[f] for f in DERIVED}}


async def _write(clients: AsyncCollection, key: str, owner: Owner, stored: Stored, fields: dict) -> Stored | None:
    """The row at the revision after `stored`'s, or None if another writer changed it since."""
    rev = (stored.rev or 0) + 1
    if stored.rev is None:
        doc = {"location_id": owner[0], "client_id": owner[1], **fields, REV: rev}
        try:  # a unique insert: the first writer of a client wins, the others read it and merge
            await clients.insert_one({"_id": key, **doc})
        except Exception as error:
            if not is_duplicate_key(error):
                raise
            return None
        return Stored(doc, rev)
    # `None` matches a row stored before revisions were kept (it has no such field)
    result = await clients.update_one({"_id": key, REV: stored.rev or None}, {"$set": {**fields, REV: rev}})
    return Stored({**stored.doc, **fields, REV: rev}, rev) if result.matched_count else None


class NewRowCopy:
    """The profile copy a new report row of the client starts with, checked once after its insert."""

    def __init__(self, clients: AsyncCollection, cache: Remembered, owner: Owner) -> None:
        self.clients, self.cache, self.key = clients, cache, row_key(*owner)
        self.given: dict | None = None

    async def first(self) -> dict:
        """The remembered copy if there is one (read otherwise): the check after the insert
        catches a profile that changed meanwhile."""
        self.given = (await known(self.clients, self.cache, self.key)).copy()
        return self.given

    async def settle(self, rows: AsyncCollection, row_id: str) -> None:
        """The one read a new row still costs: a profile stored by another instance after the copy
        was taken (or before, unknown to this one's memory) was copied onto the client's rows that
        existed then, which this row did not, so nothing else would ever bring it here."""
        if self.given is None:
            return  # the row was stored already: profile writers copy onto it
        now = (await read(self.clients, self.cache, self.key)).copy()
        if now != self.given:
            await rows.update_one({"_id": row_id, **older_copies(now[REV])}, {"$set": now})
