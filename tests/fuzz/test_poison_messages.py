"""A message the code fails on (a bug, not an outage) costs that message, not its batch."""

import pytest
from pymongo.errors import AutoReconnect

from shared.wiring.batches import apply_isolating_failures
from shared.wiring.dead_letter import NotApplied, describe


def applier(poison: set, applied: list):
    async def apply(events: list) -> list:
        if poison & set(events):
            raise OverflowError("date value out of range")
        applied.extend(events)
        return []

    return apply


async def test_the_events_beside_a_poison_one_still_apply_and_it_is_refused_with_what_went_wrong():
    applied = []

    broken = await apply_isolating_failures(applier({"bad"}, applied), ["a", "bad", "b"])

    assert applied == ["a", "b"]
    assert [(event, describe(error)) for event, error in broken] == [
        ("bad", "could not be applied: OverflowError: date value out of range")]


async def test_an_outage_is_not_isolated_but_retried_by_the_caller():
    async def apply(events):
        raise AutoReconnect("down")

    with pytest.raises(AutoReconnect):
        await apply_isolating_failures(apply, ["a", "b"])


async def test_a_batch_that_applies_is_applied_once():
    applied = []

    assert await apply_isolating_failures(applier(set(), applied), ["a", "b"]) == [] and applied == ["a", "b"]


def test_a_failure_names_its_kind():
    try:
        raise ValueError("boom")
    except ValueError:
        error = NotApplied.from_current()

    assert describe(error) == "could not be applied: ValueError: boom"
