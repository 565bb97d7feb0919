"""`studio.notifier.v1` and the notifier's staff request bodies.

Audience entries and exits, and the outcome of every message. Event ids are derived from their
cause (the audience entry, the message), so a republish after a crash repeats the same ids.
"""

from datetime import timedelta
from typing import Annotated, Literal

import isodate
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from shared.contract.envelope import Event
from shared.contract.types import SAFE_INTEGER, Identifier, Instant, SafeInt, StorableText

ConditionField = Literal["account_balance_minor", "session_credits_remaining", "credits_expiring_within_days"]
ConditionOp = Literal["lt", "lte", "gt", "gte", "eq"]
Origin = Literal["one_off", "journey", "newsletter"]


class AudienceEntered(Event):
    """The client now meets the audience's condition; `entry` counts re-entries (1, 2, ...)."""

    type: Literal["audience.entered"] = "audience.entered"
    audience_id: Identifier
    entry: int = Field(ge=1, le=SAFE_INTEGER)


class AudienceLeft(Event):
    """The client no longer meets the condition; journeys of `entry` stop."""

    type: Literal["audience.left"] = "audience.left"
    audience_id: Identifier
    entry: int = Field(ge=1, le=SAFE_INTEGER)


class _MessageOutcome(Event):
    message_id: Identifier
    template_id: Identifier | None = Field(default=None, description="None: a free-text message")
    origin: Origin = Field(description="What asked for the message")
    origin_id: str | None = Field(default=None, description="The journey or newsletter id")


class MessageSent(_MessageOutcome):
    """The SMTP server accepted the message."""

    type: Literal["message.sent"] = "message.sent"


class MessageSkipped(_MessageOutcome):
    """Not sent on purpose (no email address, opted out)."""

    type: Literal["message.skipped"] = "message.skipped"
    reason: str


class MessageFailed(_MessageOutcome):
    """Not delivered: the SMTP server refused it, stayed unreachable, or a crash interrupted it."""

    type: Literal["message.failed"] = "message.failed"
    reason: str


NotifierEvent = Annotated[
    AudienceEntered | AudienceLeft | MessageSent | MessageSkipped | MessageFailed,
    Field(discriminator="type"),
]


def _iso_duration(text: str) -> str:
    try:
        duration = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError) as error:
        raise ValueError(f"not an ISO 8601 duration: {text!r}") from error
    if isinstance(duration, timedelta) and duration < timedelta(0):
        raise ValueError("a step cannot go before the entry")
    return text


IsoDuration = Annotated[str, StringConstraints(min_length=2, max_length=40), AfterValidator(_iso_duration)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class _Request(StorableText):
    model_config = ConfigDict(extra="forbid")


class ConditionBody(_Request):
    field: ConditionField
    op: ConditionOp
    value: SafeInt


class AudienceRequest(_Request):
    name: Label
    location_ids: list[Identifier] | None = Field(default=None, description="None or empty: every location")
    condition: ConditionBody


class TemplateRequest(_Request):
    name: Label
    subject: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=50_000)]


class JourneyStep(_Request):
    after: IsoDuration = Field(description="ISO 8601 duration after the audience entry, e.g. PT1H, P3D")
    template_id: Identifier


class JourneyRequest(_Request):
    name: Label
    audience_id: Identifier
    steps: list[JourneyStep] = Field(min_length=1, max_length=20)
    include_existing: bool = Field(default=False, description="Also start it for the audience's current members")
    location_ids: list[Identifier] | None = Field(
        default=None, description="Run it only for members of these locations; default: the token's locations")


class NewsletterRequest(_Request):
    audience_id: Identifier
    template_id: Identifier
    send_at: Instant
    location_ids: list[Identifier] | None = Field(
        default=None, description="Send only to members of these locations; default: the token's locations")


class MessageRequest(_Request):
    """A template (`template_id`) or free text (`subject` and `body`, the same merge fields)."""

    location_id: Identifier
    client_id: Identifier
    template_id: Identifier | None = None
    subject: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    body: Annotated[str, StringConstraints(min_length=1, max_length=50_000)] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "MessageRequest":
        free_text = (self.subject is not None, self.body is not None)
        if self.template_id is not None and any(free_text):
            raise ValueError("give either template_id or subject and body, not both")
        if self.template_id is None and not all(free_text):
            missing = "body" if free_text[0] else "subject" if free_text[1] else "template_id, or subject and body"
            raise ValueError(f"{missing} is required")
        return self

    def text(self) -> dict | None:
        """The free text, or None for a template message."""
        return None if self.template_id else {"subject": self.subject, "body": self.body}
