"""The notifier's store on the real FerretDB: members as a log of versions, bulk inserts, steps."""

from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.domain.announcements import new_message
from services.notifier.domain.members import new_member, with_ledger_entry, with_package
from services.notifier.domain.member import Member
from services.notifier.service_layer.members import MEMBER
from services.notifier.adapters.store import NotifierStore
from shared.migrations.member_versions import migrate as migrate_members
from shared.aggregates.store import AggregateStore

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 22, 9, tzinfo=UTC)


def owing(client: str, balance: int = -500) -> dict:
    member = with_ledger_entry(new_member("loc-1", client), 1, balance, "USD")
    return {**member, "audiences": {"owing-balance": {"in": balance < 0, "entry": 1, "since": AT}}}


async def published(events: list[dict]) -> None:
    pass


def member_log(db, store: NotifierStore) -> AggregateStore[Member]:
    return AggregateStore(db["member_versions"], MEMBER, published, lambda: AT, cache=store.book)


async def write(log: AggregateStore[Member], members: list[dict]) -> None:
    """Store these states as the members' next versions, through the unit of work."""
    states = {(m["location_id"], m["client_id"]): m for m in members}
    async for uow in log.attempts():
        async with uow:
            for owner, member in (await uow.aggregates.get_many(states)).items():
                member.state = states[owner]
            await uow.commit()


async def test_members_written_as_versions_come_back_in_a_fresh_process(db):
    store = NotifierStore(db)
    log = member_log(db, store)
    await log.ensure_indexes()
    await write(log, [owing("c1"), owing("c2")])
    await write(log, [owing("c1", 0)])

    restarted = NotifierStore(db)
    await restarted.book.load()

    assert (await restarted.member("loc-1|c1"))["balance_minor"] == 0
    assert [m["client_id"] for m in await restarted.audience_members("owing-balance")] == ["c2"]
    assert await db["member_versions"].count_documents({"key": "loc-1|c1"}) == 2


async def test_a_member_another_instance_wrote_is_read_again_and_changed_from_theirs(db):
    mine, theirs = NotifierStore(db), NotifierStore(db)
    await write(member_log(db, mine), [owing("c1")])
    await theirs.book.load()
    await write(member_log(db, theirs), [owing("c1", -900)])

    await write(member_log(db, mine), [owing("c1", 0), owing("c2")])

    assert (await mine.member("loc-1|c1"))["balance_minor"] == 0
    assert await db["member_versions"].count_documents({"key": "loc-1|c1"}) == 3
    assert (await mine.member("loc-1|c2"))["balance_minor"] == -500


async def test_members_of_the_older_collections_are_migrated_into_the_log(db):
    await db["members"].insert_one(owing("old"))
    await db["member_versions"].insert_one({"_id": "loc-1|mid#000000000001", "key": "loc-1|mid", "version": 1,
                                            "member": owing("mid")})
    assert await migrate_members(db) == 2 and await migrate_members(db) == 0

    store = NotifierStore(db)
    await store.book.load()
    await write(member_log(db, store), [owing("old", 0)])

    assert (await store.member("loc-1|old"))["balance_minor"] == 0
    assert (await store.member("loc-1|mid"))["balance_minor"] == -500
    assert await db["member_versions"].find_one({"_id": "loc-1|old#000000000002"})


async def test_a_member_with_an_expiring_package_is_in_the_expiry_index(db):
    store = NotifierStore(db)
    package = {"package_id": "p", "version": 1, "remaining": 2, "expires_on": "2026-12-31"}
    await write(member_log(db, store), [with_package(owing("c1"), package), owing("c2")])

    assert store.book.expiries == {"loc-1|c1": ("2026-12-31",)}


async def test_a_bulk_insert_reports_which_ids_were_new_and_keeps_the_existing_ones(db):
    store = NotifierStore(db)
    await store.insert_new("claims", {"_id": "m2", "at": AT, "wall": 1.0})

    new = await store.insert_all_new("claims", [{"_id": f"m{n}", "at": AT, "wall": 2.0} for n in range(1, 5)])

    assert new == {"m1", "m3", "m4"}
    assert (await store.get("claims", "m2"))["wall"] == 1.0


async def test_cancelling_an_entry_leaves_other_entries_and_sent_steps_alone(db):
    store = NotifierStore(db)
    await store.ensure_indexes()
    base = {"audience_id": "a", "location_id": "loc-1", "client_id": "c1", "due_at": AT + timedelta(hours=1)}
    await store.insert_all_new("steps", [{"_id": "s1", **base, "entry": 1, "status": "pending"},
                                         {"_id": "s2", **base, "entry": 1, "status": "queued"},
                                         {"_id": "s3", **base, "entry": 2, "status": "pending"}])

    await store.cancel_steps("a", "loc-1", "c1", 1)

    statuses = {d["_id"]: d["status"] for d in await store.steps.find({}).to_list()}
    assert statuses == {"s1": "cancelled", "s2": "queued", "s3": "pending"}
    assert [s["_id"] for s in await store.due_steps(AT + timedelta(hours=2))] == ["s3"]


async def test_outcomes_are_recorded_a_chunk_at_a_time_touching_only_the_named_messages(db):
    store = NotifierStore(db)
    messages = [new_message(f"m{n}", ("loc-1", f"c{n}"), "tpl", ("newsletter", "nl"), AT, chunk="nl#0")
                for n in range(4)]
    await store.insert_all_new("messages", [*messages, new_message("solo", ("loc-1", "c9"), "tpl", ("one_off", None), AT)])
    done = [{**m, "status": "sent", "reason": None, "updated_at": AT, "published": False} for m in messages[:3]]

    await store.set_outcomes(done + [{**(await store.get("messages", "solo")), "status": "skipped",
                                      "reason": "no email address", "updated_at": AT, "published": False}])
    await store.mark_published(done)

    docs = {d["_id"]: (d["status"], d["published"]) for d in await store.messages.find({}).to_list()}
    assert docs == {"m0": ("sent", True), "m1": ("sent", True), "m2": ("sent", True), "m3": ("queued", True),
                    "solo": ("skipped", False)}
    assert [m["_id"] for m in await store.unpublished_outcomes()] == ["solo"]


def steps_for(journey_id: str, location_id: str, client: str, entries: int = 1, steps: int = 2) -> list[dict]:
    return [{"_id": f"{journey_id}|{location_id}|{client}|{entry}|{step}", "journey_id": journey_id,
             "audience_id": "owing-balance", "location_id": location_id, "client_id": client, "entry": entry,
             "step": step, "template_id": "tpl", "due_at": AT, "status": "pending"}
            for entry in range(1, entries + 1) for step in range(steps)]


async def test_a_locations_journey_steps_come_by_client_entry_and_step_from_the_cursors_client(db):
    store = NotifierStore(db)
    docs = steps_for("j-1", "loc-1", "c3") + steps_for("j-1", "loc-1", "c1", entries=2) + \
        steps_for("j-1", "loc-2", "c2") + steps_for("j-2", "loc-1", "c2")
    await store.insert_all_new("steps", docs)

    first = await store.journey_steps("j-1", "loc-1", None, limit=3)
    rest = await store.journey_steps("j-1", "loc-1", "c2", limit=10)

    assert [(s["client_id"], s["entry"], s["step"]) for s in first] == [("c1", 1, 0), ("c1", 1, 1), ("c1", 2, 0)]
    assert [(s["client_id"], s["entry"], s["step"]) for s in rest] == [("c3", 1, 0), ("c3", 1, 1)]


async def test_the_messages_of_a_journey_or_newsletter_are_read_per_location_with_only_the_fields_asked(db):
    store = NotifierStore(db)
    messages = [new_message(f"m-{i}", (location, f"c{i}"), "tpl", ("newsletter", "nl-1"), AT)
                for i, location in enumerate(["loc-1", "loc-1", "loc-2"])]
    await store.insert_all_new("messages", messages + [new_message("m-x", ("loc-1", "c0"), "tpl", ("one_off", None), AT)])

    here = await store.origin_messages("nl-1", "loc-1")
    chosen = await store.origin_messages("nl-1", "loc-1", ["c1"], ("status", "reason"))
    everywhere = await store.origin_messages("nl-1", None)

    assert sorted(m["_id"] for m in here) == ["m-0", "m-1"] and set(here[0]) == {"_id", "status"}
    assert [(m["_id"], set(m)) for m in chosen] == [("m-1", {"_id", "status", "reason"})]
    assert len(everywhere) == 3


async def test_a_member_is_judged_as_stored_not_as_this_instances_book_has_it(db):
    theirs, mine = NotifierStore(db), NotifierStore(db)
    await write(member_log(db, mine), [owing("c1")])
    await theirs.book.load()
    await write(member_log(db, theirs), [owing("c1", -900), owing("c2")])  # before this book learnt them

    assert mine.book.member("loc-1|c1")["balance_minor"] == -500 and mine.book.member("loc-1|c2") is None
    assert (await mine.member("loc-1|c1"))["balance_minor"] == -900
    assert (await mine.member("loc-1|c2"))["balance_minor"] == -500
    assert await mine.member("loc-1|nobody") is None
