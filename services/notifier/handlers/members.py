"""Applies client and credits events to the member documents, and follows audience changes.

Order matters for crash safety: journey steps are inserted (deterministic ids) and audience
events published (deterministic ids) *before* the member document records the new membership,
so a crash in between is redone identically when the event is redelivered.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

from services.notifier.domain import members as m
from services.notifier.domain.announcements import transition_event
from services.notifier.domain.journeys import schedule
from services.notifier.domain.membership import Transition, reevaluate
from services.notifier.handlers.catalog import Catalog
from services.notifier.store import NotifierStore
from shared.contract.clients import ClientRegistered, ClientUpdated
from shared.contract.credits import AccountEntryRecorded, PackageChanged
from shared.wiring.clock import Clock
from shared.wiring.locks import KeyedLocks

Publish = Callable[[list[dict]], Awaitable[None]]


class MemberChanges:
    def __init__(self, store: NotifierStore, catalog: Catalog, publish: Publish, clock: Clock) -> None:
        self.store, self.catalog, self.publish, self.clock = store, catalog, publish, clock
        self.locks = KeyedLocks()

    async def apply_client(self, event: ClientRegistered | ClientUpdated) -> None:
        changes = event.model_dump(include=set(m.PROFILE_FIELDS), exclude_unset=isinstance(event, ClientUpdated))
        await self._change(event.location_id, event.client_id, lambda mb: m.with_profile(mb, changes),
                           event.occurred_at)

    async def apply_credits(self, event) -> None:
        if isinstance(event, AccountEntryRecorded):
            change = lambda mb: m.with_ledger_entry(mb, event.sequence, event.balance_after_minor, event.currency)
        elif isinstance(event, PackageChanged):
            change = lambda mb: m.with_package(mb, _package(event))
        else:
            return
        await self._change(event.location_id, event.client_id, change, event.occurred_at)

    async def reevaluate(self, location_id: str, client_id: str) -> None:
        """Judge a member against the audiences again (a new audience, time passing)."""
        await self._change(location_id, client_id, lambda mb: mb, self.clock.now(), force=True)

    async def _change(self, location_id: str, client_id: str, change, at: datetime, force: bool = False) -> None:
        key = m.member_key(location_id, client_id)
        async with self.locks.hold(key):
            stored = await self.store.get("members", key)
            changed = change(stored or m.new_member(location_id, client_id))
            if changed == stored and not force:
                return  # a redelivery or an older snapshot
            audiences = list(self.catalog.audiences.values())
            updated, transitions = reevaluate(changed, audiences, self.clock.now().date(), at)
            await self._follow(updated, transitions)
            if updated != stored:
                await self.store.save_member(updated)

    async def _follow(self, member: dict, transitions: list[Transition]) -> None:
        for transition in transitions:
            if transition.entered:
                await self._start_journeys(member, transition)
            else:
                await self.store.cancel_steps(transition.audience_id, member["location_id"], member["client_id"],
                                              transition.entry)
        if transitions:
            await self.publish([transition_event(member, t) for t in transitions])

    async def _start_journeys(self, member: dict, transition: Transition) -> None:
        for journey in self.catalog.journeys_of(transition.audience_id):
            for step in schedule(journey, member["location_id"], member["client_id"], transition.entry, transition.at):
                await self.store.insert_new("steps", step)


def _package(event: PackageChanged) -> dict:
    remaining = m.package_remaining(event.total, event.consumed, len(event.holds))
    expires_on = event.expires_on.isoformat() if event.expires_on else None
    return {"package_id": event.package_id, "version": event.version, "remaining": remaining, "expires_on": expires_on}
