"""The compactor's bookkeeping: what it remembers of the writes, and when it asks the store."""

from datetime import UTC, datetime, timedelta

from shared.wiring.clock import ManualClock
from shared.aggregates.compaction import Compactor, Retention
from shared.aggregates.pending_batches import PendingBatches

T0 = datetime(2026, 12, 1, tzinfo=UTC)


class Untouchable:
    """A collection that fails the test if anything is asked of it."""

    name = "client_credits"

    def __getattr__(self, name):
        raise AssertionError(f"the store was asked: {name}")


async def test_a_pass_with_nothing_old_enough_sends_nothing_to_the_store():
    clock = ManualClock(T0)
    compactor = Compactor(Untouchable(), PendingBatches(Untouchable()), clock.now)
    for number in range(1, 50):
        compactor.written("loc|cli", number, clock.now())
    clock.set(T0 + timedelta(minutes=9))

    assert await compactor.compact() == 0


def test_a_busy_aggregate_is_remembered_once_per_pass_period_not_once_per_write():
    clock = ManualClock(T0)
    compactor = Compactor(Untouchable(), PendingBatches(Untouchable()), clock.now, Retention(every=60.0))
    for second in range(0, 300, 5):
        compactor.written("loc|cli", second // 5 + 1, T0 + timedelta(seconds=second))

    assert [m.number for m in compactor._marks["loc|cli"]] == [1, 13, 25, 37, 49]
    assert compactor._newest["loc|cli"].number == 60
