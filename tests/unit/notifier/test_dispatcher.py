"""At most once: the claim before SMTP, and what a crash between claim and record leaves."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from services.notifier.adapters.delivery import Mail, TransientDeliveryError
from services.notifier.service_layer.dispatcher import Dispatcher
from services.notifier.domain.announcements import new_message
from services.notifier.domain.members import new_member, with_profile
from services.notifier.domain.messages import INTERRUPTED
from shared.wiring.clock import ManualClock


class FakeStore:
    """The slice of NotifierStore the dispatcher uses, in memory."""

    def __init__(self) -> None:
        self.docs: dict[str, dict] = {"messages": {}, "claims": {}, "members": {}, "templates": {}}
        self.book = SimpleNamespace(member=lambda key: self.in_book.get(key))  # this instance's MemberBook
        self.in_book: dict[str, dict] = {}

    async def insert_new(self, collection: str, doc: dict) -> bool:
        if doc["_id"] in self.docs[collection]:
            return False
        self.docs[collection][doc["_id"]] = dict(doc)
        return True

    async def get(self, collection: str, id_: str) -> dict | None:
        return self.docs[collection].get(id_)

    async def member(self, key: str) -> dict | None:
        return self.docs["members"].get(key)

    async def claim(self, message_id: str, at, wall: float, by: str | None = None) -> bool:
        return await self.insert_new("claims", {"_id": message_id, "at": at, "wall": wall, "by": by})

    async def claims_of(self, message_ids: list[str]) -> list[dict]:
        return [self.docs["claims"][i] for i in message_ids if i in self.docs["claims"]]

    async def claim_all(self, message_ids: list[str], at, wall: float, by: str | None = None) -> set[str]:
        return {i for i in message_ids if await self.claim(i, at, wall, by)}

    async def update_message(self, message_id: str, changes: dict) -> None:
        self.docs["messages"][message_id].update(changes)

    async def set_outcomes(self, messages: list[dict]) -> None:
        for m in messages:
            await self.update_message(m["_id"], {k: m[k] for k in ("status", "reason", "updated_at", "published")})

    async def mark_published(self, messages: list[dict]) -> None:
        for m in messages:
            await self.update_message(m["_id"], {"published": True})

    async def messages_in(self, status: str, limit: int = 200) -> list[dict]:
        return [dict(m) for m in self.docs["messages"].values() if m["status"] == status][:limit]

    async def unpublished_outcomes(self) -> list[dict]:
        return [dict(m) for m in self.docs["messages"].values() if m["published"] is False]


class CountingMailer:
    def __init__(self, transient_failures: int = 0) -> None:
        self.sent: list[Mail] = []
        self.transient_failures = transient_failures

    async def send(self, mail: Mail) -> None:
        if self.transient_failures:
            self.transient_failures -= 1
            raise TransientDeliveryError("421 busy")
        self.sent.append(mail)


NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)


def dispatcher_with(mailer, email: str | None = "ada@example.com", **options) -> tuple[Dispatcher, FakeStore, list]:
    store, published = FakeStore(), []
    member = with_profile(new_member("loc", "cli"), {"first_name": "Ada", "last_name": "L", "email": email})
    store.docs["members"][member["_id"]] = member
    store.docs["templates"]["tpl"] = {"_id": "tpl", "subject": "Hi {{first_name}}", "body": "{{balance}}"}

    async def publish(events: list[dict]) -> None:
        published.extend(events)

    options = {"retry_delays": (0, 0), "member_waits": (0, 0), **options}
    return Dispatcher(store, mailer, publish, ManualClock(NOW), **options), store, published


def message(message_id: str = "msg-1") -> dict:
    return new_message(message_id, ("loc", "cli"), "tpl", ("journey", "jrn"), NOW)


async def test_a_message_queued_and_swept_twice_is_sent_once():
    mailer = CountingMailer()
    dispatcher, store, published = dispatcher_with(mailer)
    assert await dispatcher.queue(message()) and not await dispatcher.queue(message())

    await dispatcher.run_once()
    await dispatcher.run_once()

    assert [m.subject for m in mailer.sent] == ["Hi Ada"]
    assert [e["type"] for e in published] == ["message.sent"]


async def test_a_claimed_but_unrecorded_message_is_never_resent_and_ends_failed():
    mailer = CountingMailer()
    dispatcher, store, published = dispatcher_with(mailer, interrupted_after=0)
    await dispatcher.queue(message())
    await store.claim("msg-1", NOW, wall=0)  # a process claimed it, then died before recording

    await dispatcher.run_once()

    assert mailer.sent == []
    assert (store.docs["messages"]["msg-1"]["status"], store.docs["messages"]["msg-1"]["reason"]) == \
        ("failed", INTERRUPTED)
    assert [e["type"] for e in published] == ["message.failed"]


async def test_a_recent_claim_by_someone_else_is_left_alone():
    dispatcher, store, _ = dispatcher_with(CountingMailer(), interrupted_after=60)
    await dispatcher.queue(message())
    await store.claim("msg-1", NOW, wall=10**12)

    await dispatcher.run_once()

    assert store.docs["messages"]["msg-1"]["status"] == "queued"


async def test_a_client_without_email_is_skipped_with_the_reason():
    mailer = CountingMailer()
    dispatcher, store, published = dispatcher_with(mailer, email=None)
    await dispatcher.queue(message())

    await dispatcher.run_once()

    assert mailer.sent == [] and published[0]["type"] == "message.skipped"
    assert published[0]["reason"] == "No email address on file."


async def test_transient_failures_are_retried_then_sent():
    mailer = CountingMailer(transient_failures=2)
    dispatcher, store, _ = dispatcher_with(mailer)
    await dispatcher.queue(message())

    await dispatcher.run_once()

    assert len(mailer.sent) == 1 and store.docs["messages"]["msg-1"]["status"] == "sent"


async def test_a_chunk_is_claimed_sent_and_recorded_together_and_a_claimed_one_is_left_out():
    mailer = CountingMailer()
    dispatcher, store, published = dispatcher_with(mailer, concurrency=3, chunk=4)
    for n in range(10):
        await dispatcher.queue(message(f"msg-{n}"))
    await store.claim("msg-7", NOW, wall=10**12)  # another instance is sending it right now

    await dispatcher.run_once()
    await dispatcher.run_once()

    assert sorted(m.message_id for m in mailer.sent) == sorted(f"msg-{n}" for n in range(10) if n != 7)
    assert sorted(e["event_id"] for e in published) == sorted(f"msg-{n}:sent" for n in range(10) if n != 7)
    assert store.docs["messages"]["msg-7"]["status"] == "queued"


async def test_messages_claimed_elsewhere_fill_no_page_and_their_claims_are_read_once():
    mailer = CountingMailer()
    dispatcher, store, _ = dispatcher_with(mailer, chunk=2)
    for n in range(5):
        await dispatcher.queue(message(f"msg-{n}"))
        if n < 4:
            await store.claim(f"msg-{n}", NOW, wall=10**12)  # a live instance is sending these
    reads = []
    claims_of = store.claims_of
    store.claims_of = lambda ids: reads.append(ids) or claims_of(ids)

    await dispatcher.run_once()
    await dispatcher.run_once()

    assert [m.message_id for m in mailer.sent] == ["msg-4"]
    assert sorted(i for ids in reads for i in ids) == [f"msg-{n}" for n in range(4)]


async def test_an_outcome_recorded_but_not_announced_is_published_on_the_next_sweep():
    dispatcher, store, published = dispatcher_with(CountingMailer())
    await dispatcher.queue(message())
    await store.claim("msg-1", NOW, wall=0)
    await store.update_message("msg-1", {"status": "sent", "published": False})

    await dispatcher.run_once()

    assert [e["event_id"] for e in published] == ["msg-1:sent"]


async def test_an_email_that_is_not_an_address_is_skipped_and_never_reaches_a_header():
    mailer = CountingMailer()
    dispatcher, store, published = dispatcher_with(mailer, email="ada@example.com\r\nBcc: everyone@example.com")
    await dispatcher.queue(message())

    await dispatcher.run_once()

    assert mailer.sent == [] and published[0]["type"] == "message.skipped"
    assert published[0]["reason"].startswith("The email address 'ada@example.com\\r\\nBcc")


async def test_a_reserved_domain_is_handed_to_the_server_trimmed_as_judged():
    mailer = CountingMailer()
    dispatcher, _, published = dispatcher_with(mailer, email=" c@example.test ")
    await dispatcher.queue(message())

    await dispatcher.run_once()

    assert [m.to for m in mailer.sent] == ["c@example.test"] and published[0]["type"] == "message.sent"


class StoreOutage(Exception):
    """What FerretDB answers when PostgreSQL terminates its backend: the write may have happened."""


def failing_once(store: FakeStore, step: str, written: bool) -> None:
    real, state = getattr(store, step), {"fired": False}

    async def once(*args, **kwargs):
        if not state["fired"]:
            state["fired"] = True
            if written:
                await real(*args, **kwargs)
            raise StoreOutage("terminating connection due to administrator command")
        return await real(*args, **kwargs)

    setattr(store, step, once)


async def sweep_until_settled(dispatcher: Dispatcher) -> None:
    for _ in range(3):  # as the service's supervisor redoes a failed sweep, in the same process
        try:
            await dispatcher.run_once()
        except StoreOutage:
            continue


@pytest.mark.parametrize(("step", "written"), [("claim_all", False), ("claim_all", True),
                                                ("get", False)])  # get: the template, read after the claim
async def test_a_claim_whose_insert_answered_with_an_error_or_was_cut_off_is_sent_once_on_the_next_sweep(
        step, written):
    mailer = CountingMailer()
    dispatcher, store, published = dispatcher_with(mailer, interrupted_after=0)
    await dispatcher.queue(message())
    failing_once(store, step, written)

    await sweep_until_settled(dispatcher)

    assert [m.message_id for m in mailer.sent] == ["msg-1"]
    assert store.docs["messages"]["msg-1"]["status"] == "sent"


@pytest.mark.parametrize("written", [False, True])
async def test_an_outcome_the_store_did_not_take_is_recorded_later_and_never_sent_again(written):
    mailer = CountingMailer()
    dispatcher, store, published = dispatcher_with(mailer, interrupted_after=0)
    await dispatcher.queue(message())
    failing_once(store, "set_outcomes", written)

    await sweep_until_settled(dispatcher)

    assert [m.message_id for m in mailer.sent] == ["msg-1"]
    assert store.docs["messages"]["msg-1"]["status"] == "sent"
    assert {e["event_id"] for e in published} == {"msg-1:sent"}


async def test_a_claim_of_another_process_with_the_same_failed_insert_is_not_taken_for_ours():
    mailer = CountingMailer()
    dispatcher, store, _ = dispatcher_with(mailer, interrupted_after=60)
    await dispatcher.queue(message())
    real = store.claim_all

    async def raced(ids, at, wall, by=None):
        await real(ids, at, 10**12, "another-instance")  # it won the claim; our answer was an error
        raise StoreOutage("terminating connection")

    store.claim_all = raced
    await sweep_until_settled(dispatcher)
    store.claim_all = real
    await dispatcher.run_once()

    assert mailer.sent == [] and store.docs["messages"]["msg-1"]["status"] == "queued"


async def test_a_newsletter_is_judged_on_the_book_it_took_its_recipients_from_and_a_one_off_on_the_store():
    mailer = CountingMailer()
    dispatcher, store, _ = dispatcher_with(mailer)
    stored = store.docs["members"]["loc|cli"]
    store.in_book["loc|cli"] = {**stored, "profile": {**stored["profile"], "first_name": "Ada (book)"}}

    messages = [new_message("nl-1", ("loc", "cli"), "tpl", ("newsletter", "nl"), NOW),
                new_message("msg-1", ("loc", "cli"), "tpl", ("one_off", None), NOW)]
    for queued in messages:
        await store.insert_new("messages", queued)
    await dispatcher.deliver_all(messages)

    assert sorted(m.subject for m in mailer.sent) == ["Hi Ada", "Hi Ada (book)"]
    assert {m.message_id: m.subject for m in mailer.sent}["nl-1"] == "Hi Ada (book)"


class LateMembers(FakeStore):
    """A store that has the member only from its third look on (the registration folded late)."""

    def __init__(self, member: dict) -> None:
        super().__init__()
        self.looks, self.late = 0, member

    async def member(self, key: str) -> dict | None:
        self.looks += 1
        return self.late if self.looks >= 3 else None


async def test_a_message_to_a_client_registered_a_moment_ago_waits_for_the_registration_instead_of_skipping():
    mailer = CountingMailer()
    dispatcher, store, _ = dispatcher_with(mailer)
    late = LateMembers(store.docs["members"]["loc|cli"])
    late.docs["templates"] = store.docs["templates"]
    dispatcher.store = late
    await late.insert_new("messages", message())

    await dispatcher.deliver_all([message()])

    assert [m.subject for m in mailer.sent] == ["Hi Ada"] and late.looks == 3


async def test_a_message_to_a_client_never_registered_is_skipped_once_the_waits_are_over():
    mailer = CountingMailer()
    dispatcher, store, _ = dispatcher_with(mailer, member_waits=(0, 0, 0))
    store.docs["members"].clear()
    await store.insert_new("messages", message())

    await dispatcher.deliver_all([message()])

    assert mailer.sent == [] and store.docs["messages"]["msg-1"]["status"] == "skipped"
