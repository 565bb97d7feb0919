"""Messages an older notifier stored, brought up to date by the one-off command (real FerretDB)."""

from datetime import UTC, datetime

import pytest

from services.notifier.service_layer.dispatcher import Dispatcher
from services.notifier.domain.announcements import new_message
from services.notifier.domain.messages import INTERRUPTED
from services.notifier.adapters.store import NotifierStore
from shared.migrations import notifier_messages
from shared.wiring.clock import ManualClock

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 22, 9, tzinfo=UTC)


async def test_a_message_an_older_notifier_left_sending_ends_failed_and_announced_once_migrated(db):
    store = NotifierStore(db)
    sending = [{**new_message(f"m-{n}", ("loc-1", "c1"), "tpl", ("one_off", None), AT), "status": "sending",
                "claimed_wall": wall} for n, wall in enumerate([1_000.0, 1_950.0])]
    await store.insert_all_new("messages", sending)

    assert await notifier_messages.migrate(db, now=AT, wall=2_000.0) == 1  # the other was claimed 50 s ago
    published: list[dict] = []
    await Dispatcher(store, Refusing(), _collect(published), ManualClock(AT)).publish_outcomes()

    assert [(e["type"], e["message_id"], e["reason"]) for e in published] == [("message.failed", "m-0", INTERRUPTED)]
    assert (await store.get("messages", "m-1"))["status"] == "sending"
    assert await notifier_messages.migrate(db, now=AT, wall=2_100.0) == 1
    assert await notifier_messages.migrate(db, now=AT, wall=2_200.0) == 0


async def test_a_message_stored_before_chunks_is_recorded_alone_once_migrated(db):
    store = NotifierStore(db)
    older = {k: v for k, v in new_message("m-old", ("loc-1", "c1"), "tpl", ("one_off", None), AT).items()
             if k != "chunk"}
    await store.insert_all_new("messages", [older, new_message("m-new", ("loc-1", "c2"), "tpl", ("one_off", None), AT)])

    assert await notifier_messages.migrate(db) == 1
    await store.set_outcomes([{**(await store.get("messages", "m-old")), "status": "sent", "reason": None,
                               "updated_at": AT, "published": False}])

    assert (await store.get("messages", "m-old"))["chunk"] == "m-old"
    assert [m["_id"] for m in await store.unpublished_outcomes()] == ["m-old"]
    assert await notifier_messages.migrate(db) == 0


class Refusing:
    async def send(self, mail) -> None:
        raise AssertionError("a settled message is never sent")


def _collect(into: list):
    async def publish(events: list[dict]) -> None:
        into.extend(events)
    return publish
