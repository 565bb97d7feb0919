"""Audiences and journeys: few enough to keep in memory, judged on every member change.

Reloaded twice a second (services.notifier.adapters.member_feed) and at every sweep, and what another
instance defined is learnt before each batch of member changes is judged.
"""

from services.notifier.domain.conditions import OWING_BALANCE, Audience, audience_from
from services.notifier.domain.journeys import Journey, journey_from
from services.notifier.adapters.store import NotifierStore


class Catalog:
    def __init__(self, store: NotifierStore) -> None:
        self._store = store
        self.audiences: dict[str, Audience] = {OWING_BALANCE.id: OWING_BALANCE}
        self.journeys: dict[str, Journey] = {}

    async def reload(self) -> None:
        stored = {d["_id"]: audience_from(d) for d in await self._store.all("audiences")}
        self.audiences = {OWING_BALANCE.id: OWING_BALANCE, **stored}
        self.journeys = {d["_id"]: journey_from(d) for d in await self._store.all("journeys")}

    async def learn(self) -> None:
        """Add what another instance defined a moment ago (definitions are never removed)."""
        for doc in await self._store.all("audiences"):
            self.audiences.setdefault(doc["_id"], audience_from(doc))
        for doc in await self._store.all("journeys"):
            self.journeys.setdefault(doc["_id"], journey_from(doc))

    def journeys_of(self, audience_id: str) -> list[Journey]:
        return [j for j in self.journeys.values() if j.audience_id == audience_id]
