"""Which read-model generation is live (the `generations` document, and the service's cached view
of it), and the collections of a generation."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.reports.domain.generations import FIRST, collection_name, live_generation, paused

CURRENT = "current"
REFRESH_SECONDS = 1.0


class Generations:
    """The one document naming the live generation and, during a switch, until when live writes wait."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.docs = db["generations"]

    async def read(self) -> dict | None:
        return await self.docs.find_one({"_id": CURRENT})

    async def pause(self, until: datetime) -> None:
        await self.docs.update_one({"_id": CURRENT}, {"$set": {"paused_until": until}}, upsert=True)

    async def switch(self, generation: int) -> None:
        await self.docs.update_one({"_id": CURRENT}, {"$set": {"live": generation, "paused_until": None}},
                                   upsert=True)


class LiveGeneration:
    """The live generation as this process last read it (calling it answers the number)."""

    def __init__(self, generations: Generations, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.generations, self.refresh_seconds = generations, refresh_seconds
        self.number, self.doc = FIRST, None

    def __call__(self) -> int:
        return self.number

    async def refresh(self) -> None:
        self.doc = await self.generations.read()
        self.number = live_generation(self.doc)

    async def watch(self) -> None:
        """Background job: re-read the document so a switch reaches the API and subscribers unrestarted."""
        while True:
            await asyncio.sleep(self.refresh_seconds)
            await self.refresh()

    async def writable(self) -> None:
        """Wait while a rebuild holds live writes (it is catching up before it switches)."""
        while paused(self.doc, datetime.now(UTC)):
            await asyncio.sleep(0.1)


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

    @property
    def locations(self) -> AsyncCollection:
        return self.rows("locations")


async def on_ferretdb(db: AsyncDatabase) -> bool:
    """FerretDB answers `buildInfo` with its own version beside the MongoDB one it emulates."""
    info = await db.client.admin.command("buildInfo")
    return "ferretdbVersion" in info or "ferretdb" in info
