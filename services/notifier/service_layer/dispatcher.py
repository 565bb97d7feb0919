"""Sends queued messages, at most once each, and records and announces every outcome.

A message gets one SMTP attempt (with in-process retries of failures the server certainly did
not accept), claimed by a unique insert of its id before anything is sent. Messages go in chunks:
one unordered insert claims a chunk, its messages are sent concurrently (a bounded number of SMTP
conversations), and their outcomes are recorded and announced together while the next chunk is
sent. A crash between the claim and the record leaves claimed messages (at most two chunks of
100) that are never sent again: after `interrupted_after` seconds they are marked `failed`
("interrupted ... not resent") — possibly delivered, certainly not twice.

A store that fails (the process lives on; the sweep is redone) loses nothing of that: each claim
names this process (`by`), so a claim whose insert answered with an error but was written, or
one a failure separated from its attempt, is known as ours on the next try and its message is
sent once; and an outcome the store could not record is kept in memory and recorded on the next
try, so a sent message reads `sent`, never `failed (interrupted)`, and is never sent again.
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

from services.notifier.adapters.delivery import Mail, Mailer, PermanentDeliveryError, send_with_retries
from services.notifier.domain import templates
from services.notifier.domain.announcements import outcome_event
from services.notifier.domain.failures import NO_TEMPLATE, failure_sentence
from services.notifier.domain.members import member_key
from services.notifier.domain.addresses import reachability
from services.notifier.domain.messages import INTERRUPTED
from services.notifier.domain.money import format_money
from services.notifier.adapters.store import NotifierStore
from shared.wiring.clock import Clock
from shared.wiring.logging import get_logger

log = get_logger(__name__)
Publish = Callable[[list[dict]], Awaitable[None]]
Settled = tuple[dict, str, str | None]  # message, status, reason


class Dispatcher:
    def __init__(self, store: NotifierStore, mailer: Mailer, publish: Publish, clock: Clock,
                 retry_delays: tuple[float, ...] = (0.5, 2.0, 5.0), interrupted_after: float = 60.0,
                 concurrency: int = 20, chunk: int = 100,
                 member_waits: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 2.0, 4.0)) -> None:
        self.store, self.mailer, self.publish, self.clock = store, mailer, publish, clock
        self.retry_delays, self.interrupted_after, self.chunk = retry_delays, interrupted_after, chunk
        # A message written to a client registered a moment ago may be sent before the notifier has
        # folded the registration (another topic, consumed a little later): a member not stored
        # yet is looked for again over these pauses (about 10 s) before the message is skipped.
        self.member_waits = member_waits
        self._slots = asyncio.Semaphore(concurrency)  # SMTP conversations at once
        self._claimed_at: dict[str, float] = {}  # claimed by another (maybe dead) process -> claim's wall time
        self.owner = f"dispatcher-{uuid.uuid4().hex}"  # names this process's claims
        self._unsent: set[str] = set()  # claimed here (or asked, the answer lost), not yet attempted
        self._unrecorded: dict[str, Settled] = {}  # outcomes known here that the store has not taken yet
        self._attempted: set[str] = set()  # handed to SMTP here, outcome not yet recorded

    async def queue(self, message: dict) -> bool:
        """False if a message with this id exists already (it is never queued twice)."""
        return await self.store.insert_new("messages", message)

    async def run_once(self) -> None:
        """Send everything queued (in pages), then announce what a crash left unannounced."""
        await self.record_all(list(self._unrecorded.values()))  # what a failing store did not take
        seen: set[str] = set()  # what stays queued (claimed elsewhere, not overdue) is read past
        while fresh := [m for m in await self.store.messages_in("queued", self.chunk + len(seen))
                        if m["_id"] not in seen]:
            seen.update(m["_id"] for m in fresh)
            await self.deliver_all(fresh)
        await self.publish_outcomes()

    async def deliver_all(self, messages: list[dict]) -> None:
        """Chunk after chunk, the next one sending while the last one is recorded."""
        recording: asyncio.Task | None = None
        try:
            for start in range(0, len(messages), self.chunk):
                settled = await self._send_chunk(messages[start:start + self.chunk])
                if recording is not None:
                    await recording
                recording = asyncio.create_task(self.record_all(settled))
        finally:
            if recording is not None:
                await recording

    async def _send_chunk(self, messages: list[dict]) -> list[Settled]:
        """Claim all (one unordered insert), send the claimed ones concurrently; their outcomes."""
        claimed = await self._claim([m["_id"] for m in messages])
        taken = [m for m in messages if m["_id"] not in claimed]
        known = [self._unrecorded[m["_id"]] for m in taken if m["_id"] in self._unrecorded]
        claimed |= await self._claimed_before([m for m in taken if m["_id"] not in self._unrecorded])
        mine = [m for m in messages if m["_id"] in claimed]
        used = {m["template_id"] for m in mine if m.get("template_id")}
        templates = {t: await self.store.get("templates", t) for t in used}
        return known + await asyncio.gather(*(self._attempt_in_slot(m, templates) for m in mine))

    async def _claim(self, message_ids: list[str]) -> set[str]:
        """The ids claimed now. Until its attempt starts a claim is remembered, so one whose insert
        answered with an error (written all the same, maybe) or whose attempt a failure cut short
        is found ours (`by`) on the next try and still sent once."""
        asked = set(message_ids) - self._unsent
        self._unsent |= asked
        claimed = await self.store.claim_all(message_ids, self.clock.now(), time.time(), self.owner)
        self._unsent -= asked - claimed  # claimed before, by another or by an attempt of ours
        return claimed

    async def _attempt_in_slot(self, message: dict, templates: dict) -> Settled:
        """One attempt; its outcome is kept until the store has recorded it."""
        self._attempted.add(message["_id"])
        self._unsent.discard(message["_id"])
        async with self._slots:
            status, reason = await self._attempt(message, templates)
        self._unrecorded[message["_id"]] = (message, status, reason)
        return message, status, reason

    async def _attempt(self, message: dict, templates: dict) -> tuple[str, str | None]:
        member = await self._member(message)
        judged = reachability((member or {}).get("profile"))
        if not judged.reachable:
            return "skipped", judged.reason
        template = message.get("text") or templates.get(message["template_id"])
        if template is None:
            log.warning("message not sent", message_id=message["_id"], error="template not found",
                        template_id=message["template_id"])
            return "failed", NO_TEMPLATE
        try:
            mail = compose(message["_id"], template, member, judged.address)
            await send_with_retries(self.mailer, mail, self.retry_delays)
        except PermanentDeliveryError as error:
            log.warning("message not delivered", message_id=message["_id"], error=str(error))
            return "failed", failure_sentence(str(error))
        return "sent", None

    async def _member(self, message: dict) -> dict | None:
        """What a message is judged and rendered on. A newsletter's recipients were taken from
        this instance's book, which the member feed keeps within moments of every instance's
        writes: judged there too, not with one read per recipient. A one-off message or a journey
        step may follow a change another instance stored a moment ago (a client registered, then
        written to at once): judged on the member as stored (one read)."""
        key = member_key(message["location_id"], message["client_id"])
        if message.get("origin") == "newsletter":
            return self.store.book.member(key)
        member = await self.store.member(key)
        for pause in self.member_waits:
            if member is not None:
                break
            await asyncio.sleep(pause)
            member = await self.store.member(key)
        return member

    async def record_all(self, settled: list[Settled]) -> None:
        """Store the outcomes (not yet announced), announce them, mark them announced."""
        if not settled:
            return
        now = self.clock.now()
        recorded = [{**message, "status": status, "reason": reason, "updated_at": now, "published": False}
                    for message, status, reason in settled]
        await self.store.set_outcomes(recorded)
        for message in recorded:
            self._unrecorded.pop(message["_id"], None)
            self._attempted.discard(message["_id"])
        await self._announce(recorded)
        log.info("messages settled", count=len(recorded), sent=sum(m["status"] == "sent" for m in recorded))

    async def _claimed_before(self, messages: list[dict]) -> set[str]:
        """Claimed by a process that died before recording (or is still sending): failed once overdue.
        Their claims are read once (one query) and remembered, so every sweep need not read them.
        Returns the ones this process claimed and never attempted (a failure came between): they
        are sent now."""
        unknown = [m["_id"] for m in messages if m["_id"] not in self._claimed_at]
        claims = await self.store.claims_of(unknown) if unknown else []
        ours = {c["_id"] for c in claims if c.get("by") == self.owner
                and c["_id"] in self._unsent and c["_id"] not in self._attempted}
        self._claimed_at.update((c["_id"], c["wall"]) for c in claims if c["_id"] not in ours)
        messages = [m for m in messages if m["_id"] not in ours]
        now = time.time()
        overdue = [m for m in messages if now - self._claimed_at.get(m["_id"], now) > self.interrupted_after]
        await self.record_all([(m, "failed", INTERRUPTED) for m in overdue])
        for message in overdue:
            self._claimed_at.pop(message["_id"], None)
        self._unsent -= {c["_id"] for c in claims if c["_id"] not in ours}  # another's
        return ours

    async def publish_outcomes(self) -> None:
        """What a crash left recorded but unannounced."""
        pending = await self.store.unpublished_outcomes()
        if pending:
            await self._announce(pending)

    async def _announce(self, messages: list[dict]) -> None:
        await self.publish([outcome_event(message) for message in messages])
        await self.store.mark_published(messages)


def compose(message_id: str, template: dict, member: dict, address: str) -> Mail:
    """`template`: a stored template or a free-text message's own {subject, body}; `address`: the
    recipient as `reachability` judged it (never the raw profile text)."""
    subject, body = rendered(template, member)
    return Mail(message_id=message_id, to=address, subject=subject, body=body)


def rendered(template: dict, member: dict) -> tuple[str, str]:
    """Subject and body with the client's values: plain substitution, nothing evaluated."""
    values = templates.merge_values(member, format_money)
    return templates.render_subject(template["subject"], values), templates.render(template["body"], values)
