"""The booking directory on FerretDB: immutable claims, remembered once stored or read."""

import pytest

from services.bookings.adapters.directory import BookingDirectory

pytestmark = pytest.mark.integration


class Counting:
    """A collection that counts the reads reaching the database."""

    def __init__(self, collection) -> None:
        self._collection = collection
        self.reads = 0

    async def find_one(self, *args, **kwargs):
        self.reads += 1
        return await self._collection.find_one(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._collection, name)


async def test_a_claimed_booking_is_found_without_reading_the_database(db):
    entries = Counting(db["booking_directory"])
    directory = BookingDirectory(entries)

    assert await directory.claim([("loc-1", "bk-1", "cli-1")]) == {}
    assert await directory.claim([("loc-1", "bk-1", "cli-1")]) == {}  # the consumer's claim of a staff booking
    assert await directory.owner("loc-1", "bk-1") == "cli-1"
    assert entries.reads == 0


async def test_after_a_restart_the_owner_is_read_once_then_remembered(db):
    await BookingDirectory(db["booking_directory"]).claim([("loc-1", "bk-1", "cli-1")])
    entries = Counting(db["booking_directory"])
    restarted = BookingDirectory(entries)

    owners = [await restarted.owner("loc-1", "bk-1") for _ in range(3)]

    assert owners == ["cli-1"] * 3 and entries.reads == 1


async def test_a_booking_id_of_another_client_is_refused_from_memory_or_from_the_database(db):
    directory = BookingDirectory(db["booking_directory"])
    await directory.claim([("loc-1", "bk-1", "cli-1")])
    restarted = BookingDirectory(db["booking_directory"])

    assert await directory.claim([("loc-1", "bk-1", "cli-2")]) == {("loc-1", "bk-1", "cli-2"): "cli-1"}
    assert await restarted.claim([("loc-1", "bk-1", "cli-2")]) == {("loc-1", "bk-1", "cli-2"): "cli-1"}


async def test_two_clients_claiming_one_booking_id_in_a_batch_leave_it_to_the_first(db):
    directory = BookingDirectory(db["booking_directory"])

    taken = await directory.claim([("loc-1", "bk-1", "cli-1"), ("loc-1", "bk-1", "cli-2")])

    assert taken == {("loc-1", "bk-1", "cli-2"): "cli-1"}
    assert await BookingDirectory(db["booking_directory"]).owner("loc-1", "bk-1") == "cli-1"


async def test_an_unknown_booking_is_not_remembered_as_unknown(db):
    directory = BookingDirectory(db["booking_directory"])
    assert await directory.owner("loc-1", "bk-9") is None

    await BookingDirectory(db["booking_directory"]).claim([("loc-1", "bk-9", "cli-1")])  # another instance

    assert await directory.owner("loc-1", "bk-9") == "cli-1"
