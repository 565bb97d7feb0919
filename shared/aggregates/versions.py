"""The records of the version log: one stored version of an aggregate and what a decision makes.

    {_id: "<key>#<version>", key, version, state, events: [...], pending | published, batch, written_at}

A change is the insert of the next version; its state and the events it must publish are one
document, so a crash loses both (the inbound message is redelivered) or neither (the outbox
relay publishes them).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from shared.wiring.tracing import current_traceparent

Publish = Callable[[list[dict]], Awaitable[None]]


class Decision(NamedTuple):
    state: dict
    events: list[dict]
    index: dict = {}  # extra top-level fields to query versions by (e.g. a due date)


# decide(state or None) -> Decision; raising leaves the aggregate untouched.
Decide = Callable[[dict | None], Decision]


class ConcurrentUpdate(Exception):
    """Another writer stored the next version first; reload and decide again."""


@dataclass
class Version:
    key: str
    number: int
    state: dict | None
    events: list[dict]
    published: bool
    index: dict = field(default_factory=dict)
    batch: str = ""  # the insert that stored it; a whole batch is marked published at once
    trace: str = ""  # W3C traceparent of the span that decided it: its events are published inside it

    @property
    def id(self) -> str:
        return version_id(self.key, self.number)


def version_id(key: str, number: int) -> str:
    return f"{key}#{number:012d}"


def first_version(key: str) -> Version:
    """What an aggregate is before its first change."""
    return Version(key, 0, None, [], True)


def next_version(current: Version, decision: Decision) -> Version:
    events = decision.events
    return Version(current.key, current.number + 1, decision.state, events, not events, decision.index,
                   trace=current_traceparent() if events else "")


def from_document(doc: dict) -> Version:
    """The version as stored; one still `pending` is taken as unpublished (the recorder asks the
    outbox's index whether its batch is still in flight)."""
    published = doc.get("published", not doc.get("pending", False))
    return Version(doc["key"], doc["version"], doc["state"], doc.get("events", []), published,
                   batch=doc.get("batch", ""), trace=doc.get("trace", ""))
