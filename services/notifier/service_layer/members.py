"""Applies client and credits events to the members, a batch at a time, and follows audience changes.

A batch costs a handful of round trips whatever its size: every event is folded into its member
(the pure domain) inside one unit of work, the batch's journey steps are inserted, and each
changed member is committed once, as one insert of its next version carrying its audience
events, which the outbox then publishes. Steps have ids derived from their cause, so a crash
before the commit is redone identically when the batch is redelivered. Only then is the batch acked.
"""

import asyncio
import time
from collections import deque
from collections.abc import Iterable
from datetime import datetime

from services.notifier.domain import members as m
from services.notifier.domain.journeys import schedule
from services.notifier.domain.member import Member
from services.notifier.domain.membership import Transition
from services.notifier.domain.upkeep import Change
from services.notifier.service_layer.catalog import Catalog
from shared.contract.credits import AccountEntryRecorded, PackageChanged
from shared.wiring.clock import Clock
from shared.wiring.locations import LocationBook
from shared.aggregates.unit_of_work import Aggregates, Kind
from shared.zones import local_date

MEMBER = Kind(new=Member.new, load=Member)
Owner = tuple[str, str]
# How long the members this process changed are remembered (Definitions.learnt); real seconds,
# not the service's clock: it measures how far behind another instance's definition can arrive.
RECENT_S = 30.0


def change_of(event) -> Change | None:
    """What one inbound event does to its member; None for events the notifier does not follow."""
    if isinstance(event, AccountEntryRecorded):
        return lambda mb: m.with_ledger_entry(mb, event.sequence, event.balance_after_minor, event.currency)
    if isinstance(event, PackageChanged):
        return lambda mb: m.with_package(mb, _package(event))
    if event.type in ("client.registered", "client.updated"):
        return lambda mb: m.with_profile_event(mb, event)  # each field: the latest event that set it
    return None


class MemberChanges:
    def __init__(self, members: Aggregates[Member], store, catalog: Catalog, clock: Clock,
                 locations: LocationBook) -> None:
        self.members, self.store, self.catalog, self.clock = members, store, catalog, clock
        self.locations = locations  # each member is judged on its location's today
        self._writer = asyncio.Lock()  # one writer of the members in this process
        self._recent: deque[tuple[float, Owner]] = deque()  # (monotonic time, member) changed lately

    async def apply_batch(self, events: Iterable) -> None:
        """Fold the events (in order) into their members and store what changed."""
        changes: dict[Owner, list[tuple[Change, datetime]]] = {}
        for event in events:
            if (change := change_of(event)) is not None:
                changes.setdefault((event.location_id, event.client_id), []).append((change, event.occurred_at))
        # A location another instance registered a moment ago (what it defined comes on the feed).
        await self.locations.learn({location_id for location_id, _ in changes})
        async with self._writer:
            await self._apply(changes, rejudge_at=None)

    async def rejudge(self, keys: Iterable[str], chunk: int = 500) -> None:
        """Judge members against the audiences again (a new audience, time passing)."""
        owners = [tuple(key.split("|", 1)) for key in keys]
        for start in range(0, len(owners), chunk):
            async with self._writer:
                await self._apply({o: [] for o in owners[start:start + chunk]}, rejudge_at=self.clock.now())

    async def rejudge_recent(self) -> None:
        """Judge again the members this process changed in the last RECENT_S seconds, once the
        batch in flight is stored: they may have been judged without an audience another
        instance defined meanwhile."""
        async with self._writer:  # taken once: the batch in flight is stored, and remembered
            since = time.monotonic() - RECENT_S
            owners = sorted({owner for at, owner in self._recent if at >= since})
        await self.rejudge(f"{location_id}|{client_id}" for location_id, client_id in owners)

    async def _apply(self, changes: dict[Owner, list], rejudge_at: datetime | None) -> None:
        audiences, now = list(self.catalog.audiences.values()), self.clock.now()
        async for uow in self.members.attempts():
            async with uow:
                folded = []
                for owner, member in (await uow.aggregates.get_many(changes)).items():
                    member.fold(changes[owner], audiences, local_date(now, self.locations.zone(owner[0])), rejudge_at)
                    folded.append(member)
                await self._follow(folded)
                await uow.commit()
        self._remember(changes)

    def _remember(self, owners: Iterable[Owner]) -> None:
        now = time.monotonic()
        self._recent.extend((now, owner) for owner in owners)
        while self._recent and self._recent[0][0] < now - RECENT_S:
            self._recent.popleft()

    async def _follow(self, folded: list[Member]) -> None:
        """The journeys of the audiences entered start; the steps of those left are cancelled."""
        steps = []
        for member in folded:
            entered = {(t.audience_id, t.entry) for t in member.transitions if t.entered}
            left = {(t.audience_id, t.entry) for t in member.transitions if not t.entered}
            for transition in member.transitions:
                if transition.entered and (transition.audience_id, transition.entry) not in left:
                    steps += self._journey_steps(member.state, transition)
                elif not transition.entered and (transition.audience_id, transition.entry) not in entered:
                    await self._cancel_steps(member.state, transition)  # steps of an earlier batch
        await self.store.insert_all_new("steps", steps)

    def _journey_steps(self, member: dict, transition: Transition) -> list[dict]:
        return [step for journey in self.catalog.journeys_of(transition.audience_id)
                for step in schedule(journey, member["location_id"], member["client_id"], transition.entry,
                                     transition.at)]

    async def _cancel_steps(self, member: dict, transition: Transition) -> None:
        if self.catalog.journeys_of(transition.audience_id):  # no journey, no step to cancel
            await self.store.cancel_steps(transition.audience_id, member["location_id"], member["client_id"],
                                          transition.entry)


def _package(event: PackageChanged) -> dict:
    remaining = m.package_remaining(event.total, event.consumed, len(event.holds))
    expires_on = event.expires_on.isoformat() if event.expires_on else None
    return {"package_id": event.package_id, "version": event.version, "remaining": remaining, "expires_on": expires_on}
