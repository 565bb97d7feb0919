"""The one projection of `studio.clients.v1` and `studio.credits.v1` onto the read models.

The live subscribers and the rebuild both apply records through it, so a rebuilt generation is
built by exactly the code that keeps the live one.
"""

from pydantic import TypeAdapter

from services.reports.domain.credits import membership_row, package_row, period_row
from services.reports.domain.profiles import profile_changes
from services.reports.store import ReportsStore
from shared.contract.clients import ClientEvent
from shared.contract.credits import (
    AccountEntryRecorded,
    CreditsEvent,
    MembershipChanged,
    MembershipPeriodChanged,
    PackageChanged,
)
from shared.contract.topics import CLIENTS, CREDITS
from shared.wiring.dead_letter import REFUSED
from shared.wiring.decoding import decode_json

ADAPTERS = {CLIENTS.name: TypeAdapter(ClientEvent), CREDITS.name: TypeAdapter(CreditsEvent)}


class Projector:
    def __init__(self, store: ReportsStore) -> None:
        self.store = store

    async def client_event(self, event: ClientEvent) -> None:
        await self.store.apply_profile(event.location_id, event.client_id, profile_changes(event))
        await self.store.advance_as_of(event.occurred_at)

    async def credits_event(self, event: CreditsEvent) -> None:
        if isinstance(event, PackageChanged):
            await self.store.apply_package(event.version, package_row(event))
        elif isinstance(event, MembershipPeriodChanged):
            await self.store.apply_period(event.version, period_row(event))
        elif isinstance(event, MembershipChanged):
            await self.store.apply_membership(event.version, membership_row(event))
        elif isinstance(event, AccountEntryRecorded):
            await self.store.apply_entry(event)
        await self.store.advance_as_of(event.occurred_at)

    async def record(self, topic: str, value: bytes | None) -> bool:
        """Apply a raw record as the subscriber of `topic` would; False if it is refused (skipped:
        its gatekeeper dead-lettered it when it was first consumed)."""
        try:
            event = ADAPTERS[topic].validate_python(decode_json(value))
        except REFUSED:
            return False
        await (self.client_event(event) if topic == CLIENTS.name else self.credits_event(event))
        return True
