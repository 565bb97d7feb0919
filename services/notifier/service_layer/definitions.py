"""Staff definitions (audiences, templates, journeys, newsletters) and one-off messages."""

import asyncio
from datetime import UTC, datetime

from services.notifier.service_layer.dispatcher import Dispatcher, rendered
from services.notifier.domain import templates
from services.notifier.domain.announcements import new_message
from services.notifier.domain.conditions import Audience, Condition, audience_document
from services.notifier.domain.errors import UnknownMergeField, UnknownReference
from services.notifier.domain.journeys import Journey, journey_from, schedule
from services.notifier.domain.members import member_key
from services.notifier.domain.membership import current_entry
from services.notifier.service_layer.catalog import Catalog
from services.notifier.service_layer.members import MemberChanges
from services.notifier.adapters.member_feed import MemberFeed
from services.notifier.adapters.store import NotifierStore
from shared.contract.notifier import (AudienceRequest, JourneyRequest, MessageRequest, NewsletterRequest,
                                      TemplateRequest)
from shared.wiring.clock import Clock
from shared.wiring.logging import get_logger

log = get_logger(__name__)


def new_id(prefix: str, command_id: str) -> str:
    """Derived from the command, so a repeated Idempotency-Key names the same thing."""
    return f"{prefix}-{command_id.removeprefix('cmd-')[:20]}"


class Definitions:
    def __init__(self, store: NotifierStore, catalog: Catalog, members: MemberChanges, dispatcher: Dispatcher,
                 wake: asyncio.Event, clock: Clock, feed: MemberFeed) -> None:
        self.store, self.catalog, self.members, self.dispatcher = store, catalog, members, dispatcher
        self.wake, self.clock, self.feed = wake, clock, feed
        self._tasks: set[asyncio.Task] = set()

    async def create_audience(self, body: AudienceRequest, command_id: str) -> dict:
        condition = Condition(**body.condition.model_dump())
        audience = Audience(new_id("aud", command_id), body.name, condition, frozenset(body.location_ids or ()))
        doc = audience_document(audience)
        stored = {**doc, "created_at": self.clock.now()}
        await self.store.insert_new("audiences", stored)
        self.catalog.audiences[audience.id] = audience
        await self.feed.defined(audiences=[stored])
        self._in_background(self._reevaluate_everyone())
        return {"audience_id": audience.id, **doc}

    async def create_template(self, body: TemplateRequest, command_id: str) -> dict:
        _check_merge_fields({"subject": body.subject, "body": body.body})
        doc = {"_id": new_id("tpl", command_id), **body.model_dump()}
        await self.store.insert_new("templates", {**doc, "created_at": self.clock.now()})
        return {"template_id": doc["_id"], **body.model_dump()}

    async def create_journey(self, body: JourneyRequest, command_id: str) -> dict:
        await self._require_audience(body.audience_id)
        for step in body.steps:
            await self._require_template(step.template_id)
        doc = {"_id": new_id("jrn", command_id), **body.model_dump()}
        stored = {**doc, "created_at": self.clock.now()}
        await self.store.insert_new("journeys", stored)
        journey = self.catalog.journeys.setdefault(doc["_id"], journey_from(doc))
        await self.feed.defined(journeys=[stored])
        if body.include_existing:
            self._in_background(self._start_for_members(journey))
        return {"journey_id": doc["_id"], **body.model_dump()}

    async def create_newsletter(self, body: NewsletterRequest, command_id: str) -> dict:
        await self._require_audience(body.audience_id)
        await self._require_template(body.template_id)
        doc = {"_id": new_id("nl", command_id), **body.model_dump(), "status": "scheduled"}
        await self.store.insert_new("newsletters", {**doc, "created_at": self.clock.now()})
        self.wake.set()
        return {"newsletter_id": doc["_id"], **body.model_dump(mode="json"), "status": "scheduled"}

    async def queue_message(self, body: MessageRequest, command_id: str) -> dict:
        await self._message_template(body)
        message_id = new_id("msg", command_id)
        who = (body.location_id, body.client_id)
        await self.dispatcher.queue(new_message(message_id, who, body.template_id, ("one_off", None), self.clock.now(),
                                                text=body.text()))
        self.wake.set()
        return {"message_id": message_id}

    async def preview(self, body: MessageRequest) -> dict:
        """The message as the client would get it now, with their values; nothing is sent."""
        template = await self._message_template(body)
        member = await self.store.member(member_key(body.location_id, body.client_id))
        if member is None:
            raise UnknownReference("client_id", body.client_id)
        subject, text = rendered(template, member)
        return {"subject": subject, "body": text, "to": member["profile"].get("email")}

    async def _message_template(self, body: MessageRequest) -> dict:
        """The stored template, or the free text checked like one (an unknown merge field → 422)."""
        if body.template_id is not None:
            return await self._require_template(body.template_id)
        text = body.text()
        _check_merge_fields(text)
        return text

    def audience(self, audience_id: str) -> Audience | None:
        return self.catalog.audiences.get(audience_id)

    async def _require_audience(self, audience_id: str) -> None:
        if audience_id not in self.catalog.audiences:
            await self.catalog.reload()  # another instance may have defined it
        if audience_id not in self.catalog.audiences:
            raise UnknownReference("audience_id", audience_id)

    async def _require_template(self, template_id: str) -> dict:
        template = await self.store.get("templates", template_id)
        if template is None:
            raise UnknownReference("template_id", template_id)
        return template

    async def learnt(self, audiences: list[dict], journeys: list[dict]) -> None:
        """What another instance defined (the member feed): from now on judged here too, and what
        this instance judged without it a moment ago is made good: the members it changed lately
        are judged again against a new audience, and a new journey starts for the members who
        entered its audience since it was defined (step ids are derived from their cause, so the
        steps the defining instance scheduled are not scheduled twice)."""
        new_audiences, new_journeys = self.catalog.add(audiences, journeys)
        created = {d["_id"]: d.get("created_at") for d in journeys}
        if new_audiences:
            self._in_background(self.members.rejudge_recent())
        for journey in new_journeys:
            self._in_background(self._start_for_members(journey, entered_since=created[journey.id]))

    async def _reevaluate_everyone(self) -> None:
        await self.members.rejudge(self.store.book.keys())

    async def _start_for_members(self, journey: Journey, entered_since: datetime | None = None) -> None:
        """`include_existing`: current members start now, as if they had just entered. With
        `entered_since`: those who entered since then start from when they entered."""
        now, inside = self.clock.now(), await self.store.audience_members(journey.audience_id, journey.location_ids or None)
        starts = ([(member, now) for member in inside] if entered_since is None else
                  [(member, at) for member in inside if (at := _entered_at(member, journey.audience_id)) >= entered_since])
        steps = [step for member, at in starts
                 for step in schedule(journey, member["location_id"], member["client_id"],
                                      current_entry(member, journey.audience_id), at)]
        for start in range(0, len(steps), 1000):
            await self.store.insert_all_new("steps", steps[start:start + 1000])

    def _in_background(self, work) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception():
            log.error("background definition work failed", error=repr(task.exception()))


def _entered_at(member: dict, audience_id: str) -> datetime:
    since = member["audiences"][audience_id].get("since")  # a datetime; ISO text in members stored as JSON
    return datetime.fromisoformat(since) if isinstance(since, str) else since or datetime.min.replace(tzinfo=UTC)


def _check_merge_fields(text: dict) -> None:
    for field in ("subject", "body"):
        if unknown := templates.unknown_fields(text[field]):
            raise UnknownMergeField(field, unknown)
