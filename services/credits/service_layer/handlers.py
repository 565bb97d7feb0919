"""The credits service's use cases: each takes its clients through a unit of work, lets the domain
decide, and commits (shared.aggregates.unit_of_work).

Every decision is handed its location's zone in force (from the service's LocationBook), as it is
handed the clock's `now`.
"""

from services.credits.adapters.store import CreditsStore
from shared.contract.envelope import Event
from shared.wiring.clock import Clock
from shared.aggregates.each_client import Refused, by_client, in_order
from shared.wiring.locations import LocationBook


class CreditsHandlers:
    def __init__(self, store: CreditsStore, clock: Clock, locations: LocationBook) -> None:
        self.store = store
        self.clients = store.aggregates
        self.clock = clock
        self.locations = locations

    async def apply_batch(self, events: list[Event]) -> Refused:
        """Apply a batch of inbound events, each client's in order; returns those refused."""
        now, batch = self.clock.now(), by_client(events)
        await self.locations.learn({location_id for location_id, _ in batch})
        refused: dict[tuple[str, str], Refused] = {}  # a retry redoes only the clients it lost
        async for uow in self.clients.attempts():
            async with uow:
                for owner, client in (await uow.aggregates.get_many(batch)).items():
                    zone = self.locations.zone(owner[0])
                    refused[owner] = in_order(batch[owner], lambda event: client.handle(event, now, zone))
                await uow.commit()
        return [pair for pairs in refused.values() for pair in pairs]

    async def adjust_package(self, location_id: str, client_id: str, package_id: str, **command) -> dict:
        now = self.clock.now()
        async for uow in self.clients.attempts():
            async with uow:
                client = await uow.aggregates.get(location_id, client_id)
                client.adjust_package(package_id, now=now, **command)
                await uow.commit()
        return client.package_view(package_id, now, self.locations.zone(location_id))

    async def adjust_period(self, location_id: str, client_id: str, membership_id: str, period_start, **command) -> dict:
        now = self.clock.now()
        async for uow in self.clients.attempts():
            async with uow:
                client = await uow.aggregates.get(location_id, client_id)
                client.adjust_period(membership_id, period_start, now=now, **command)
                await uow.commit()
        return client.period_view(membership_id, period_start)

    async def adjust_account(self, location_id: str, client_id: str, **command) -> dict:
        await self.locations.learn([location_id])
        now, zone = self.clock.now(), self.locations.zone(location_id)
        async for uow in self.clients.attempts():
            async with uow:
                client = await uow.aggregates.get(location_id, client_id)
                client.adjust_account(now=now, zone=zone, **command)
                await uow.commit()
        return client.balance()

    async def expire_due_credit(self) -> int:
        """Expire every lot whose end of day has come in its location's zone in force; returns how
        many accounts changed."""
        now = self.clock.now()
        due = await self.store.due_for_expiry(now, self.locations.zone)
        await self.locations.learn({location_id for location_id, _ in due})  # registered since the sweep began
        for location_id, client_id in due:
            async for uow in self.clients.attempts():
                async with uow:
                    client = await uow.aggregates.get(location_id, client_id)
                    client.expire_credit(now, self.locations.zone(location_id))
                    await uow.commit()
        return len(due)
