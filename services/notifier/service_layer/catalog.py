"""Audiences and journeys: few enough to keep in memory, judged on every member change.

Loaded at start and at every sweep; what another instance defines arrives on the member feed
(services.notifier.adapters.member_feed) a moment after it is stored, and is added here.
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

    def add(self, audiences: list[dict], journeys: list[dict]) -> tuple[list[Audience], list[Journey]]:
        """Add these stored definitions (definitions are never changed nor removed); returns the
        ones this process did not know."""
        new_audiences = [audience_from(d) for d in audiences if d["_id"] not in self.audiences]
        new_journeys = [journey_from(d) for d in journeys if d["_id"] not in self.journeys]
        self.audiences.update((a.id, a) for a in new_audiences)
        self.journeys.update((j.id, j) for j in new_journeys)
        return new_audiences, new_journeys

    def journeys_of(self, audience_id: str) -> list[Journey]:
        return [j for j in self.journeys.values() if j.audience_id == audience_id]
