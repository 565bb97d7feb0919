"""Two instances writing one version log: one remembers a version the other has since replaced.
A change loses its insert and is decided again; a refusal, or "nothing to change", must be too."""

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from shared.rules import RuleViolation
from shared.aggregates.store import AggregateStore
from shared.aggregates.unit_of_work import Kind

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 1, tzinfo=UTC)


class Deducted(BaseModel):
    event_id: str


class NotEnough(RuleViolation):
    pass


class Pack:
    def __init__(self, state: dict) -> None:
        self.state, self.events = state, []

    def to_document(self) -> dict:
        return self.state

    def add(self, credits: int) -> None:
        self.state = {**self.state, "credits": self.state["credits"] + credits}

    def deduct(self, credits: int, command_id: str) -> None:
        if command_id in self.state["done"]:
            return  # done before: a repeat changes nothing
        if credits > self.state["credits"]:
            raise NotEnough(f"{credits} asked, {self.state['credits']} left")
        self.state = {"credits": self.state["credits"] - credits, "done": self.state["done"] + [command_id]}
        self.events.append(Deducted(event_id=command_id))


PACK = Kind(new=lambda owner: Pack({"credits": 0, "done": []}), load=Pack)


async def _ignore(events: list[dict]) -> None:
    pass


@pytest.fixture
def instances(db):
    return tuple(AggregateStore(db["packs"], PACK, _ignore, lambda: AT) for _ in range(2))


async def change(store: AggregateStore, apply) -> None:
    async for uow in store.attempts():
        async with uow:
            apply(await uow.aggregates.get("p-1"))
            await uow.commit()


async def test_a_deduction_refused_on_an_old_version_is_judged_again_on_the_stored_one(instances):
    a, b = instances
    await change(a, lambda pack: pack.add(1))
    await change(b, lambda pack: pack.deduct(1, "cmd-1"))  # B remembers 0 credits left
    await change(a, lambda pack: pack.add(5))

    await change(b, lambda pack: pack.deduct(4, "cmd-2"))

    assert (await a.read("p-1")).state == {"credits": 1, "done": ["cmd-1", "cmd-2"]}


async def test_a_refusal_on_the_stored_version_still_refuses(instances):
    a, b = instances
    await change(a, lambda pack: pack.add(1))
    await change(b, lambda pack: pack.deduct(1, "cmd-1"))

    with pytest.raises(NotEnough):
        await change(b, lambda pack: pack.deduct(1, "cmd-2"))


async def test_nothing_to_change_on_an_old_version_is_judged_again_on_the_stored_one(instances):
    """B remembers cmd-1 as done; A's version has it done too, then undone by a newer state
    that only the store knows: "already done" on B's old version must not be the last word."""
    a, b = instances
    await change(a, lambda pack: pack.add(3))
    await change(b, lambda pack: pack.deduct(1, "cmd-1"))
    await change(a, lambda pack: setattr(pack, "state", {"credits": 2, "done": []}))  # e.g. a correction

    await change(b, lambda pack: pack.deduct(1, "cmd-1"))

    assert (await a.read("p-1")).state == {"credits": 1, "done": ["cmd-1"]}
