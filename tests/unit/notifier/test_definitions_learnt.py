"""What another notifier instance defined, arriving on the member feed: judged here from then on,
and what this instance judged without it a moment before is made good."""

import asyncio
from datetime import timedelta

from shared.contract.notifier import AudienceRequest
from tests.unit.notifier.fakes import NOW, FakeNotifierStore, served

JOURNEY = {"_id": "jrn-1", "name": "Reminder", "audience_id": "owing-balance",
           "steps": [{"after": "PT1H", "template_id": "tpl-1"}], "created_at": NOW}
AUDIENCE = {"_id": "aud-1", "name": "Low", "location_ids": [], "created_at": NOW,
            "condition": {"field": "account_balance_minor", "op": "lt", "value": -1000}}


class RecordingMembers:
    def __init__(self) -> None:
        self.rejudged = 0

    async def rejudge_recent(self) -> None:
        self.rejudged += 1

    async def rejudge(self, keys) -> None:
        pass


async def _settled(definitions) -> None:
    while definitions._tasks:
        await asyncio.sleep(0)


def _entered(store: FakeNotifierStore, client_id: str, at) -> None:
    member = store.add_member("loc-1", client_id, -500, inside=("owing-balance",))
    member["audiences"]["owing-balance"]["since"] = at
    store.book._put(member["_id"], 99, member)


async def test_a_journey_defined_elsewhere_starts_for_those_who_entered_since_and_no_one_before():
    store = FakeNotifierStore()
    _entered(store, "came-after", NOW + timedelta(seconds=1))
    _entered(store, "was-inside", NOW - timedelta(days=3))
    _, _, definitions = served(store)

    await definitions.learnt([], [JOURNEY])
    await _settled(definitions)

    assert [j.id for j in definitions.catalog.journeys_of("owing-balance")] == ["jrn-1"]
    steps = list(store.docs["steps"].values())
    assert [(s["client_id"], s["due_at"]) for s in steps] == [("came-after", NOW + timedelta(hours=1, seconds=1))]


async def test_a_journey_learnt_twice_schedules_its_steps_once():
    store = FakeNotifierStore()
    _entered(store, "came-after", NOW + timedelta(seconds=1))
    _, _, definitions = served(store)

    await definitions.learnt([], [JOURNEY])
    await definitions.learnt([], [JOURNEY])
    await _settled(definitions)

    assert len(store.docs["steps"]) == 1


async def test_an_audience_defined_elsewhere_is_judged_here_and_the_members_changed_lately_again():
    members = RecordingMembers()
    _, _, definitions = served(members=members)

    await definitions.learnt([AUDIENCE], [])
    await definitions.learnt([AUDIENCE], [])  # known now: nothing more to judge
    await _settled(definitions)

    assert "aud-1" in definitions.catalog.audiences
    assert members.rejudged == 1


async def test_what_this_instance_defines_is_announced_to_the_others():
    _, _, definitions = served(members=RecordingMembers())

    audience = await definitions.create_audience(AudienceRequest.model_validate({
        "name": "Low", "condition": {"field": "account_balance_minor", "op": "lt", "value": -1000}}), "cmd-1")
    await _settled(definitions)

    assert [a["_id"] for a in definitions.feed.audiences] == [audience["audience_id"]]
    assert definitions.feed.audiences[0]["created_at"] == NOW
