"""The credits service's use cases: each loads one aggregate, lets the domain decide, stores.

Every decision is handed its location's zone in force (from the service's LocationBook), as it is
handed the clock's `now`.
"""

from collections import defaultdict

from services.credits.store import CreditsStore
from shared.contract.envelope import Event
from shared.rules import RuleViolation
from shared.wiring.clock import Clock
from shared.wiring.locations import LocationBook


class CreditsHandlers:
    def __init__(self, store: CreditsStore, clock: Clock, locations: LocationBook) -> None:
        self.store = store
        self.clock = clock
        self.locations = locations

    async def apply_event(self, event: Event) -> list:
        """An inbound sales or booking event; RuleViolation if it breaks a rule (nothing changes)."""
        now, zone = self.clock.now(), self.locations.zone(event.location_id)
        _, events = await self.store.change(event.location_id, event.client_id, lambda a: a.handle(event, now, zone))
        return events

    async def apply_batch(self, events: list[Event]) -> list[tuple[Event, RuleViolation]]:
        """Apply a batch of inbound events, each client's in order; returns those refused."""
        now = self.clock.now()
        by_client: dict[tuple[str, str], list[Event]] = defaultdict(list)
        for event in events:
            by_client[(event.location_id, event.client_id)].append(event)
        refused: dict[tuple[str, str], list] = {}
        await self.store.change_many({owner: _each(owner, batch, now, self.locations.zone(owner[0]), refused)
                                      for owner, batch in by_client.items()})
        return [pair for pairs in refused.values() for pair in pairs]

    async def adjust_package(self, location_id: str, client_id: str, package_id: str, **command) -> dict:
        now = self.clock.now()
        aggregate, _ = await self.store.change(
            location_id, client_id, lambda a: a.adjust_package(package_id, now=now, **command)
        )
        return aggregate.package_view(package_id, now, self.locations.zone(location_id))

    async def adjust_period(self, location_id: str, client_id: str, membership_id: str, period_start, **command) -> dict:
        now = self.clock.now()
        aggregate, _ = await self.store.change(
            location_id, client_id, lambda a: a.adjust_period(membership_id, period_start, now=now, **command)
        )
        return aggregate.period_view(membership_id, period_start)

    async def adjust_account(self, location_id: str, client_id: str, **command) -> dict:
        now, zone = self.clock.now(), self.locations.zone(location_id)
        aggregate, _ = await self.store.change(location_id, client_id,
                                               lambda a: a.adjust_account(now=now, zone=zone, **command))
        return aggregate.balance()

    async def expire_due_credit(self) -> int:
        """Expire every lot whose end of day has come in its location's zone in force; returns how
        many accounts changed."""
        now = self.clock.now()
        due = await self.store.due_for_expiry(now, self.locations.zone)
        for location_id, client_id in due:
            zone = self.locations.zone(location_id)
            await self.store.change(location_id, client_id, lambda a: a.expire_credit(now, zone))
        return len(due)


def _each(owner: tuple[str, str], events: list[Event], now, zone, refused: dict):
    """Apply a client's events in order; one that breaks a rule is set aside and leaves no trace."""

    def change(aggregate) -> list:
        out, refused[owner] = [], []  # reset: a retried change starts over
        for event in events:
            try:
                out += aggregate.handle(event, now, zone)
            except RuleViolation as error:
                refused[owner].append((event, error))
        return out

    return change
