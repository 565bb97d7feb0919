"""A newsletter sent through the real store while the store fails once at any step of queue → claim →
send → record → announce (the error FerretDB answers when PostgreSQL terminates its backend or turns
read-only, before or after the write took place): every client gets it exactly once, and every
message reads `sent`, once the sweep has been redone as the service's supervisor redoes it."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from pymongo.errors import OperationFailure

from services.notifier.adapters.delivery import Mail
from services.notifier.service_layer.dispatcher import Dispatcher
from services.notifier.domain.members import new_member, with_ledger_entry, with_profile
from services.notifier.entrypoints.scheduler import Scheduler
from services.notifier.adapters.store import NotifierStore
from shared.wiring.clock import ManualClock

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
MEMBERS, CHUNK = 120, 50  # three chunks
TERMINATED = "terminating connection due to administrator command (SQLSTATE 57P01)"


class FailsOnce:
    """The real store, whose `step` raises OperationFailure at its `nth` call (the write done first
    when `written`: the answer was lost, not the write)."""

    def __init__(self, store: NotifierStore, step: str, nth: int, written: bool) -> None:
        self._store, self._step, self._nth, self._written = store, step, nth, written
        self.calls, self.fired = 0, False

    def __getattr__(self, name: str):
        real = getattr(self._store, name)
        if name != self._step:
            return real

        async def failing(*args, **kwargs):
            self.calls += 1
            if self.calls == self._nth and not self.fired:
                self.fired = True
                if self._written:
                    await real(*args, **kwargs)
                raise OperationFailure(TERMINATED, code=1)
            return await real(*args, **kwargs)

        return failing


class Inbox:
    def __init__(self) -> None:
        self.mails: list[Mail] = []

    async def send(self, mail: Mail) -> None:
        self.mails.append(mail)


class Announced:
    """The outcome events; the `nth` publish fails (the broker), as a store step would."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.events: list[dict] = []
        self.calls, self.fail_at = 0, fail_at

    async def __call__(self, events: list[dict]) -> None:
        self.calls += 1
        if self.calls == self.fail_at:
            raise OperationFailure(TERMINATED, code=1)  # any error: the sweep is redone the same way
        self.events += events


def owing(n: int) -> dict:
    member = with_profile(new_member("loc-1", f"c{n:03d}"),
                          {"first_name": "Ada", "last_name": f"N{n}", "email": f"c{n:03d}@example.com"})
    member = with_ledger_entry(member, 1, -500, "USD")
    return {**member, "audiences": {"owing-balance": {"in": True, "entry": 1, "since": NOW}}}


async def prepared(db) -> NotifierStore:
    store = NotifierStore(db)
    await store.ensure_indexes()
    members = {f"loc-1|c{n:03d}": owing(n) for n in range(MEMBERS)}
    await db["member_versions"].insert_many([{"_id": f"{key}#000000000001", "key": key, "version": 1, "state": member,
                                              "events": [], "published": True} for key, member in members.items()])
    for key, member in members.items():
        store.book._put(key, 1, member)  # the members the notifier holds in memory, as stored
    await store.insert_new("templates", {"_id": "tpl-1", "name": "t", "subject": "Hi {{first_name}}",
                                         "body": "You owe {{balance}}."})
    await store.insert_new("newsletters", {"_id": "nl-1", "audience_id": "owing-balance", "template_id": "tpl-1",
                                           "send_at": NOW, "status": "scheduled"})
    return store


async def send_until_settled(store, inbox: Inbox, publish: Announced) -> None:
    """The scheduler's sweep (newsletters, then everything queued), redone after an error as the
    service's supervisor does, in the same process."""
    dispatcher = Dispatcher(store, inbox, publish, ManualClock(NOW), retry_delays=(), chunk=CHUNK)
    scheduler = Scheduler(store, SimpleNamespace(), dispatcher, ManualClock(NOW), 1.0,
                          SimpleNamespace(locations=None))
    for _ in range(6):
        try:
            await scheduler.queue_due_newsletters()
            await dispatcher.run_once()
        except OperationFailure:
            continue


STEPS = [(step, nth, written) for step, calls in [("insert_all_new", 3), ("claim_all", 3), ("set_outcomes", 3),
                                                  ("mark_published", 3), ("messages_in", 2), ("claims_of", 1),
                                                  ("get", 1), ("set_newsletter", 1), ("due_newsletters", 1)]
         for nth in range(1, calls + 1) for written in (False, True)]


@pytest.mark.parametrize(("step", "nth", "written"), STEPS)
async def test_a_store_failing_once_at_any_step_sends_each_client_the_newsletter_exactly_once(
        db, step, nth, written):
    store, inbox, publish = await prepared(db), Inbox(), Announced()
    faulty = FailsOnce(store, step, nth, written)

    await send_until_settled(faulty, inbox, publish)

    recipients = [mail.to for mail in inbox.mails]
    assert len(recipients) == len(set(recipients)), "someone got it twice"
    assert set(recipients) == {f"c{n:03d}@example.com" for n in range(MEMBERS)}, "someone never got it"
    messages = await store.all("messages")
    assert len(messages) == MEMBERS and {m["status"] for m in messages} == {"sent"}
    assert {e["message_id"] for e in publish.events if e["type"] == "message.sent"} == {m["_id"] for m in messages}


@pytest.mark.parametrize("nth", [1, 2, 3])
async def test_announcing_that_fails_once_sends_nothing_twice_and_announces_every_outcome(db, nth):
    store, inbox, publish = await prepared(db), Inbox(), Announced(fail_at=nth)

    await send_until_settled(store, inbox, publish)

    assert len(inbox.mails) == len({mail.to for mail in inbox.mails}) == MEMBERS
    assert len({e["event_id"] for e in publish.events}) == MEMBERS
