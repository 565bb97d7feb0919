"""Sends queued messages, at most once each, and records and announces every outcome.

A message gets one SMTP attempt (with in-process retries of failures the server certainly did
not accept), claimed by a unique insert of its id before anything is sent. The outcome is
recorded after. A crash between the claim and the record leaves a claimed message that is never
sent again: after `interrupted_after` seconds it is marked `failed` ("interrupted ... not
resent") — possibly delivered, certainly not twice.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable

from services.notifier.delivery import Mail, Mailer, PermanentDeliveryError, send_with_retries
from services.notifier.domain import templates
from services.notifier.domain.announcements import outcome_event
from services.notifier.domain.members import member_key
from services.notifier.domain.messages import INTERRUPTED, skip_reason
from services.notifier.domain.money import format_money
from services.notifier.store import NotifierStore
from shared.wiring.clock import Clock
from shared.wiring.logging import get_logger

log = get_logger(__name__)
Publish = Callable[[list[dict]], Awaitable[None]]


class Dispatcher:
    def __init__(self, store: NotifierStore, mailer: Mailer, publish: Publish, clock: Clock,
                 retry_delays: tuple[float, ...] = (0.5, 2.0, 5.0), interrupted_after: float = 60.0,
                 concurrency: int = 10) -> None:
        self.store, self.mailer, self.publish, self.clock = store, mailer, publish, clock
        self.retry_delays, self.interrupted_after = retry_delays, interrupted_after
        self._slots = asyncio.Semaphore(concurrency)

    async def queue(self, message: dict) -> bool:
        """False if a message with this id exists already (it is never queued twice)."""
        return await self.store.insert_new("messages", message)

    async def run_once(self) -> None:
        await self.settle_interrupted()
        queued = await self.store.messages_in("queued")
        await asyncio.gather(*(self._deliver_in_slot(message) for message in queued))
        await self.publish_outcomes()

    async def _deliver_in_slot(self, message: dict) -> None:
        async with self._slots:
            await self.deliver(message)

    async def deliver(self, message: dict) -> None:
        if not await self.store.claim(message["_id"], self.clock.now(), time.time()):
            return await self._claimed_before(message)
        await self.store.update_message(message["_id"], {"status": "sending", "claimed_wall": time.time()})
        status, reason = await self._attempt(message)
        await self.record(message, status, reason)

    async def _attempt(self, message: dict) -> tuple[str, str | None]:
        member = await self.store.member(member_key(message["location_id"], message["client_id"]))
        reason = skip_reason(member)
        if reason:
            return "skipped", reason
        template = await self.store.get("templates", message["template_id"])
        if template is None:
            return "failed", f"template {message['template_id']} not found"
        try:
            await send_with_retries(self.mailer, compose(message["_id"], template, member), self.retry_delays)
        except PermanentDeliveryError as error:
            return "failed", str(error)
        return "sent", None

    async def record(self, message: dict, status: str, reason: str | None) -> None:
        changes = {"status": status, "reason": reason, "updated_at": self.clock.now(), "published": False}
        await self.store.update_message(message["_id"], changes)
        await self._announce([{**message, **changes}])
        log.info("message settled", message_id=message["_id"], status=status, reason=reason)

    async def _claimed_before(self, message: dict) -> None:
        claim = await self.store.get("claims", message["_id"])
        if claim and time.time() - claim["wall"] > self.interrupted_after:
            await self.record(message, "failed", INTERRUPTED)

    async def settle_interrupted(self) -> None:
        for message in await self.store.messages_in("sending"):
            if time.time() - message.get("claimed_wall", 0) > self.interrupted_after:
                await self.record(message, "failed", INTERRUPTED)

    async def publish_outcomes(self) -> None:
        """What a crash left recorded but unannounced."""
        pending = await self.store.unpublished_outcomes()
        if pending:
            await self._announce(pending)

    async def _announce(self, messages: list[dict]) -> None:
        await self.publish([outcome_event(message) for message in messages])
        for message in messages:
            await self.store.update_message(message["_id"], {"published": True})


def compose(message_id: str, template: dict, member: dict) -> Mail:
    values = templates.merge_values(member, format_money)
    return Mail(message_id=message_id, to=member["profile"]["email"],
                subject=templates.render_subject(template["subject"], values),
                body=templates.render(template["body"], values))
