"""The dead-letter path: a record that cannot be applied is copied to `<topic>.dlq` with the reason.

Kafka has no dead-letter topic of its own and FastStream adds none. Which records go there, and
when, is decided by shared.wiring.batches (the one failure model, docs/failure-model.md); this
module writes the copies.
"""

import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from shared.rules import RuleViolation
from shared.wiring.decoding import MAX_EVENT_BYTES, UNREADABLE, UnreadableRecord
from shared.wiring.logging import get_logger

log = get_logger(__name__)

REFUSED = (ValidationError, RuleViolation, *UNREADABLE)

class NotApplied(Exception):
    """The code failed on a message for another reason than an outage (a bug): it is refused with
    what went wrong, and the traceback goes to the log."""

    @classmethod
    def from_current(cls) -> "NotApplied":
        error = sys.exc_info()[1]
        log.exception("message could not be applied; dead-lettering it", error=repr(error))
        return cls(f"{type(error).__name__}: {error}")


SendRaw = Callable[[str, bytes, bytes | None, dict[str, str]], Awaitable[None]]


def describe(error: Exception) -> str:
    """A human-readable reason that names the offending fields."""
    if isinstance(error, ValidationError):
        parts = [f"{'.'.join(map(str, e['loc'])) or 'message'}: {e['msg']}" for e in error.errors()]
        return "invalid event: " + "; ".join(parts)[:900]
    if isinstance(error, UnreadableRecord):
        return str(error)[:900]
    if isinstance(error, NotApplied):
        return f"could not be applied: {error}"[:900]
    if isinstance(error, (json.JSONDecodeError, UnicodeDecodeError)):
        return f"not valid JSON: {error}"[:900]
    return f"rule broken: {error}"[:900]


REDRIVEN_FROM = "x-redriven-from"  # set by shared/tools/dead_letters on a re-driven copy


def dead_letter_headers(record: Any, reason: str, group: str | None = None) -> dict[str, str]:
    headers = {
        "x-error": reason,
        "x-original-topic": record.topic,
        "x-original-partition": str(record.partition),
        "x-original-offset": str(record.offset),
    }
    if group:  # which consumer group dead-lettered it (a re-drive reaches every group again)
        headers["x-consumer-group"] = group
    # A re-drive refused again says so, so the dead-letters tool never re-drives it in a loop.
    redriven = dict(getattr(record, "headers", None) or ()).get(REDRIVEN_FROM)
    if redriven is not None:
        headers[REDRIVEN_FROM] = redriven.decode(errors="replace") if isinstance(redriven, bytes) else str(redriven)
    return headers


def dead_letter_copy(record: Any, reason: str, group: str | None = None) -> tuple[bytes | None, dict[str, str]]:
    """The value and headers of a record's dead letter. A record over the size limit keeps its
    first MAX_EVENT_BYTES bytes (`x-original-size` says how many it had): a copy of a record near
    the broker's own limit, plus our headers, could exceed it and block the partition."""
    value, headers = record.value, dead_letter_headers(record, reason, group)
    if value is not None and len(value) > MAX_EVENT_BYTES:
        value, headers["x-original-size"] = value[:MAX_EVENT_BYTES], str(len(value))
    return value, headers


class DeadLetters:
    """Copies a record to `<topic>.dlq` with the reason (and the group that gave up on it)."""

    def __init__(self, send_raw: SendRaw) -> None:
        self._send_raw = send_raw

    async def send(self, record, error: Exception, group: str | None = None) -> None:
        reason = describe(error)
        value, headers = dead_letter_copy(record, reason, group)
        await self._send_raw(f"{record.topic}.dlq", value, record.key, headers)
        log.info("dead-lettered", topic=record.topic, offset=record.offset, reason=reason, group=group)
