"""The bookings service's use cases over the in-memory unit of work: no database, no broker."""

from services.bookings.service_layer.handlers import BookingsHandlers
from services.bookings.adapters.store import CLIENT_BOOKINGS
from shared.wiring.clock import ManualClock
from shared.aggregates.memory import InMemoryAggregates
from tests.unit.bookings.factories import CLIENT, LOCATION, NOW, booking_cancelled, booking_created, credit_reserved


class InMemoryDirectory:
    def __init__(self) -> None:
        self.owners: dict[tuple[str, str], str] = {}

    async def claim(self, claims):
        taken = {}
        for location_id, booking_id, client_id in claims:
            owner = self.owners.setdefault((location_id, booking_id), client_id)
            if owner != client_id:
                taken[(location_id, booking_id, client_id)] = owner
        return taken

    async def owner(self, location_id, booking_id):
        return self.owners.get((location_id, booking_id))


def handlers() -> tuple[BookingsHandlers, InMemoryAggregates]:
    clients, sent = InMemoryAggregates(CLIENT_BOOKINGS), []

    async def send(fact) -> None:
        sent.append(fact)

    return BookingsHandlers(clients, InMemoryDirectory(), send, ManualClock(NOW)), clients


async def test_a_booking_is_published_on_the_lifecycle_and_shows_in_its_view():
    bookings, clients = handlers()

    refused = await bookings.apply_batch([booking_created()])

    assert refused == [] and [e["type"] for e in clients.published] == ["booking.created"]
    assert (await bookings.view(LOCATION, "b-1"))["client_id"] == CLIENT


async def test_a_booking_id_another_client_owns_is_refused_and_changes_nobody():
    bookings, clients = handlers()
    await bookings.apply_batch([booking_created()])

    refused = await bookings.apply_batch([booking_created(client_id="client-2")])

    assert [type(error).__name__ for _, error in refused] == ["BookingOfAnotherClient"]
    assert list(clients.log) == [f"{LOCATION}|{CLIENT}"]


async def test_an_ending_waits_for_the_credit_answer_and_goes_out_once_it_came():
    bookings, clients = handlers()
    await bookings.apply_batch([booking_created(), booking_cancelled()])
    before = [e["type"] for e in clients.published]

    await bookings.follow_credits([credit_reserved()])

    assert before == ["booking.created"]
    assert [e["type"] for e in clients.published] == ["booking.created", "booking.cancelled"]


async def test_a_redelivered_batch_stores_and_publishes_nothing_again():
    bookings, clients = handlers()
    batch = [booking_created()]
    await bookings.apply_batch(batch)

    await bookings.apply_batch(batch)

    assert [len(versions) for versions in clients.log.values()] == [1] and len(clients.published) == 1
