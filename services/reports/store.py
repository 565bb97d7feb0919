"""The reports' read models in MongoDB: one document per row a report shows."""

from collections.abc import Callable
from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.reports.domain.accounts import account_fields, entry_document
from services.reports.domain.generations import FIRST, collection_name
from services.reports.domain.profiles import with_full_name
from shared.contract.credits import AccountEntryRecorded
from shared.wiring.locks import KeyedLocks
from shared.wiring.mongo import is_duplicate_key
from shared.wiring.projection import upsert_if_newer

PROFILE_COPY = ("first_name", "last_name", "full_name", "email", "phone", "join_date", "search",
                "sort_first_name", "sort_last_name", "sort_full_name", "sort_email")
DERIVED = ("full_name", "search", "sort_first_name", "sort_last_name", "sort_full_name", "sort_email")


def row_key(*parts: str) -> str:
    return "|".join(parts)


class Generational:
    """The read-model collections of the generation `generation()` names when they are touched."""

    def __init__(self, db: AsyncDatabase, generation: Callable[[], int] = lambda: FIRST) -> None:
        self.db, self.generation = db, generation

    def rows(self, base: str) -> AsyncCollection:
        return self.db[collection_name(base, self.generation())]

    @property
    def clients(self) -> AsyncCollection:
        return self.rows("clients")

    @property
    def packages(self) -> AsyncCollection:
        return self.rows("packages")

    @property
    def periods(self) -> AsyncCollection:
        return self.rows("membership_periods")

    @property
    def memberships(self) -> AsyncCollection:
        return self.rows("memberships")

    @property
    def accounts(self) -> AsyncCollection:
        return self.rows("accounts")

    @property
    def entries(self) -> AsyncCollection:
        return self.rows("account_entries")

    @property
    def meta(self) -> AsyncCollection:
        return self.rows("meta")


class ReportsStore(Generational):
    def __init__(self, db: AsyncDatabase, generation: Callable[[], int] = lambda: FIRST) -> None:
        super().__init__(db, generation)
        self.locks = KeyedLocks()  # one writer per (location, client): rows share profile fields
        self.as_of_written: dict[int, datetime] = {}

    async def ensure_indexes(self) -> None:
        for rows in (self.packages, self.periods, self.memberships):
            await rows.create_index([("location_id", 1), ("client_id", 1)])
        await self.clients.create_index([("location_id", 1), ("client_id", 1)], unique=True)
        await self.accounts.create_index([("location_id", 1), ("client_id", 1)])
        await self.entries.create_index([("location_id", 1), ("client_id", 1), ("sequence", 1)], unique=True)
        await self.entries.create_index([("at", 1)])

    async def apply_profile(self, location_id: str, client_id: str, changes: dict) -> None:
        async with self.locks.hold(row_key(location_id, client_id)):
            await self._apply_profile(location_id, client_id, changes)

    async def _apply_profile(self, location_id: str, client_id: str, changes: dict) -> None:
        key = row_key(location_id, client_id)
        await self.clients.update_one(
            {"_id": key},
            {"$set": changes, "$setOnInsert": {"location_id": location_id, "client_id": client_id}},
            upsert=True,
        )
        profile = with_full_name(await self.clients.find_one({"_id": key}) or {})
        copy = {f: profile.get(f) for f in PROFILE_COPY}
        await self.clients.update_one({"_id": key}, {"$set": {f: copy[f] for f in DERIVED}})
        await self.packages.update_many({"location_id": location_id, "client_id": client_id}, {"$set": copy})
        await self.accounts.update_one({"_id": key}, {"$set": copy})

    async def profile_copy(self, location_id: str, client_id: str) -> dict:
        doc = await self.clients.find_one({"_id": row_key(location_id, client_id)})
        return {f: (doc or {}).get(f) for f in PROFILE_COPY}

    async def apply_package(self, version: int, row: dict) -> None:
        # The profile may arrive after the package (another topic): a later profile change
        # copies itself onto existing rows, and this copy covers rows created after it.
        async with self.locks.hold(row_key(row["location_id"], row["client_id"])):
            profile = await self.profile_copy(row["location_id"], row["client_id"])
            key = row_key(row["location_id"], row["client_id"], row["package_id"])
            await upsert_if_newer(self.packages, key, version, {**row, **profile})

    async def apply_period(self, version: int, row: dict) -> None:
        key = row_key(row["location_id"], row["client_id"], row["membership_id"], row["period_key"])
        await upsert_if_newer(self.periods, key, version, row)

    async def apply_membership(self, version: int, row: dict) -> None:
        key = row_key(row["location_id"], row["client_id"], row["membership_id"])
        await upsert_if_newer(self.memberships, key, version, row)

    async def apply_entry(self, event: AccountEntryRecorded) -> None:
        """Record the ledger entry, and move the account row to it if it is the newest seen."""
        key = row_key(event.location_id, event.client_id)
        async with self.locks.hold(key):
            await self._insert_entry(row_key(key, str(event.sequence)), entry_document(event))
            profile = await self.profile_copy(event.location_id, event.client_id)
            await upsert_if_newer(self.accounts, key, event.sequence, {**account_fields(event), **profile})

    async def _insert_entry(self, key: str, document: dict) -> None:
        try:
            await self.entries.insert_one({"_id": key, **document})
        except Exception as error:
            if not is_duplicate_key(error):  # a redelivery: entries never change
                raise

    async def client_packages(self, location_id: str, client_id: str) -> list[dict]:
        query = {"location_id": location_id, "client_id": client_id}
        return await self.packages.find(query).sort("package_id", 1).to_list()

    async def client_periods(self, location_id: str, client_id: str) -> list[dict]:
        query = {"location_id": location_id, "client_id": client_id}
        return await self.periods.find(query).to_list()

    async def client_memberships(self, location_id: str, client_id: str) -> list[dict]:
        query = {"location_id": location_id, "client_id": client_id}
        return await self.memberships.find(query).to_list()

    async def advance_as_of(self, occurred_at: datetime) -> None:
        """`$max` is read and written back by FerretDB v1, so racing writers could lower it: one
        writer in the process, which skips what it has already stored in this generation."""
        generation = self.generation()
        stored = self.as_of_written.get(generation)
        if stored is not None and occurred_at <= stored:
            return
        async with self.locks.hold("as_of"):
            await self.meta.update_one({"_id": "as_of"}, {"$max": {"at": occurred_at}}, upsert=True)
            self.as_of_written[generation] = max(occurred_at, self.as_of_written.get(generation, occurred_at))

    async def as_of(self) -> datetime | None:
        doc = await self.meta.find_one({"_id": "as_of"})
        return doc["at"] if doc else None
