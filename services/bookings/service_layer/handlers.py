"""The bookings service's use cases: each lets the domain decide and the store keep the result."""

from collections.abc import Awaitable, Callable

from pydantic import BaseModel

from services.bookings.adapters.directory import BookingDirectory
from services.bookings.domain.aggregate import ClientBookings
from services.bookings.domain.answers import answer_from
from services.bookings.domain.errors import BookingOfAnotherClient, UnknownBooking
from services.bookings.domain.lifecycle import outcome_of
from services.bookings.domain.requests import Move, booking_requested, move_requested
from shared.contract.bookings import BookingCreated
from shared.contract.envelope import Event
from shared.contract.staff_api import BookingRequest
from shared.wiring.clock import Clock
from shared.aggregates.each_client import Refused, by_client, in_order
from shared.aggregates.unit_of_work import Aggregates

Send = Callable[[BaseModel], Awaitable[None]]


class BookingsHandlers:
    def __init__(self, clients: Aggregates[ClientBookings], directory: BookingDirectory, send: Send,
                 clock: Clock) -> None:
        self.clients = clients
        self.directory = directory
        self.send = send  # publishes a booking fact on the platform topic
        self.clock = clock

    async def apply_batch(self, events: list[Event]) -> Refused:
        """Apply a batch of booking facts, each client's in order; returns those refused."""
        refused = await self._claim_booking_ids(events)
        accepted = [e for e in events if all(e is not r for r, _ in refused)]
        return refused + await self._each_client(accepted, ClientBookings.handle)

    async def follow_credits(self, events: list[Event]) -> None:
        """Record the credits service's answers; nothing it says is refused here."""
        answers = [event for event in events if answer_from(event) is not None]
        await self._each_client(answers, ClientBookings.follow)

    async def view(self, location_id: str, booking_id: str) -> dict | None:
        client_id = await self.directory.owner(location_id, booking_id)
        aggregate = await self.clients.read(location_id, client_id) if client_id else None
        return aggregate.view(booking_id) if aggregate else None

    async def request_booking(self, location_id: str, request: BookingRequest, command_id: str) -> dict:
        event = booking_requested(location_id, request, command_id, self.clock.now())
        await self.directory.claim([(location_id, event.booking_id, event.client_id)])
        await self.send(event)
        return {"booking_id": event.booking_id}

    async def request_move(self, move: Move, location_id: str, booking_id: str, command_id: str,
                           late: bool = False) -> dict:
        """UnknownBooking if no booking has that id here; another RuleViolation if the move is illegal."""
        client_id = await self.directory.owner(location_id, booking_id)
        if client_id is None:
            raise UnknownBooking(booking_id)
        event = move_requested(move, location_id, client_id, booking_id, command_id, self.clock.now(), late)
        aggregate = await self.clients.read(location_id, client_id)
        if aggregate:
            aggregate.ensure_can_end(booking_id, outcome_of(event))
        await self.send(event)
        return {"booking_id": booking_id}

    async def _claim_booking_ids(self, events: list[Event]) -> Refused:
        created = [e for e in events if isinstance(e, BookingCreated)]
        taken = await self.directory.claim([(e.location_id, e.booking_id, e.client_id) for e in created])
        return [(e, BookingOfAnotherClient(e.booking_id, taken[claim])) for e in created
                if (claim := (e.location_id, e.booking_id, e.client_id)) in taken]

    async def _each_client(self, events: list[Event], apply) -> Refused:
        """Each client's events in order, every changed client stored in one commit."""
        batch = by_client(events)
        refused: dict[tuple[str, str], Refused] = {}  # a retry redoes only the clients it lost
        async for uow in self.clients.attempts():
            async with uow:
                for owner, client in (await uow.aggregates.get_many(batch)).items():
                    refused[owner] = in_order(batch[owner], lambda event: apply(client, event))
                await uow.commit()
        return [pair for pairs in refused.values() for pair in pairs]
