"""Applies client and credits events to the members, a batch at a time, and follows audience changes.

A batch costs a handful of round trips whatever its size: every event is folded into its member
in memory (the pure domain), then the batch's journey steps are inserted, its audience events
published, and each changed member written once, as one insert of its next version, in that
order: steps and events have ids derived from their cause, so a crash before the members are
written is redone identically when the batch is redelivered. Only then is the batch acked.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from services.notifier.domain import members as m
from services.notifier.domain.announcements import transition_event
from services.notifier.domain.journeys import schedule
from services.notifier.domain.membership import Transition
from services.notifier.domain.upkeep import Change, Folded, fold
from services.notifier.handlers.catalog import Catalog
from services.notifier.store import NotifierStore
from shared.contract.credits import AccountEntryRecorded, PackageChanged
from shared.wiring.clock import Clock
from shared.wiring.locations import LocationBook
from shared.zones import local_date

Publish = Callable[[list[dict]], Awaitable[None]]


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
    def __init__(self, store: NotifierStore, catalog: Catalog, publish: Publish, clock: Clock,
                 locations: LocationBook) -> None:
        self.store, self.catalog, self.publish, self.clock = store, catalog, publish, clock
        self.locations = locations  # each member is judged on its location's today
        self.book = store.book
        self._writer = asyncio.Lock()  # one writer of the members in this process

    async def apply_batch(self, events: Iterable) -> None:
        """Fold the events (in order) into their members and store what changed."""
        changes: dict[str, list[tuple[Change, datetime]]] = {}
        for event in events:
            if (change := change_of(event)) is not None:
                key = m.member_key(event.location_id, event.client_id)
                changes.setdefault(key, []).append((change, event.occurred_at))
        async with self._writer:
            await self._apply(changes, rejudge_at=None)

    async def rejudge(self, keys: Iterable[str], chunk: int = 500) -> None:
        """Judge members against the audiences again (a new audience, time passing)."""
        keys = list(keys)
        for start in range(0, len(keys), chunk):
            async with self._writer:
                await self._apply({k: [] for k in keys[start:start + chunk]}, rejudge_at=self.clock.now())

    async def _apply(self, changes: dict[str, list], rejudge_at: datetime | None) -> None:
        folded = self._fold(changes, rejudge_at)
        await self._follow(folded)
        lost = await self.book.write([f.member for f in folded.values()])
        for key in lost:  # another writer took the version number: start again from what it wrote
            await self.book.reload(key)
            await self._apply({key: changes[key]}, rejudge_at)

    def _fold(self, changes: dict[str, list], rejudge_at: datetime | None) -> dict[str, Folded]:
        audiences, now, todays = list(self.catalog.audiences.values()), self.clock.now(), {}
        folded = {}
        for key, member_changes in changes.items():
            stored = self.book.get(key)
            location = key.split("|", 1)[0]
            base = stored or m.new_member(*key.split("|", 1))
            today = todays.setdefault(location, local_date(now, self.locations.zone(location)))
            result = fold(base, member_changes, audiences, today, rejudge_at)
            if result.member != stored and (stored is not None or member_changes):
                folded[key] = result
        return folded

    async def _follow(self, folded: dict[str, Folded]) -> None:
        steps, events = [], []
        for result in folded.values():
            entered = {(t.audience_id, t.entry) for t in result.transitions if t.entered}
            left = {(t.audience_id, t.entry) for t in result.transitions if not t.entered}
            for transition in result.transitions:
                if transition.entered and (transition.audience_id, transition.entry) not in left:
                    steps += self._journey_steps(result.member, transition)
                elif not transition.entered and (transition.audience_id, transition.entry) not in entered:
                    await self._cancel_steps(result.member, transition)  # steps of an earlier batch
                events.append(transition_event(result.member, transition))
        await self.store.insert_all_new("steps", steps)
        if events:
            await self.publish(events)

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
