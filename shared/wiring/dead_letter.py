"""The dead-letter path: a bad message is copied to `<topic>.dlq` with the reason, then acked.

Kafka has no dead-letter topic of its own and FastStream adds none, so a consume-scope middleware
does it. It is attached to the inbound routers only (never broker-wide) so that publishing to a
dead-letter topic is never itself wrapped.

Three outcomes per message:
- handled: the handler acked it;
- refused (cannot be decoded, fails validation, breaks a rule): copied to the DLQ, then acked;
- transient failure (database or broker unreachable): retried in place with backoff, so the
  partition waits and nothing is committed past an unprocessed message.
"""

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka.errors import KafkaError
from faststream import BaseMiddleware
from pydantic import ValidationError

from shared.rules import RuleViolation
from shared.wiring.decoding import MAX_EVENT_BYTES, UNREADABLE, UnreadableRecord
from shared.wiring.logging import get_logger
from shared.wiring.mongo import TRANSIENT_ERRORS

log = get_logger(__name__)

REFUSED = (ValidationError, RuleViolation, *UNREADABLE)
RETRYABLE = (*TRANSIENT_ERRORS, KafkaError, ConnectionError, TimeoutError)

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


def dead_letter_headers(record: Any, reason: str) -> dict[str, str]:
    headers = {
        "x-error": reason,
        "x-original-topic": record.topic,
        "x-original-partition": str(record.partition),
        "x-original-offset": str(record.offset),
    }
    # A re-drive refused again says so, so the dead-letters tool never re-drives it in a loop.
    redriven = dict(getattr(record, "headers", None) or ()).get(REDRIVEN_FROM)
    if redriven is not None:
        headers[REDRIVEN_FROM] = redriven.decode(errors="replace") if isinstance(redriven, bytes) else str(redriven)
    return headers


def dead_letter_copy(record: Any, reason: str) -> tuple[bytes | None, dict[str, str]]:
    """The value and headers of a record's dead letter. A record over the size limit keeps its
    first MAX_EVENT_BYTES bytes (`x-original-size` says how many it had): a copy of a record near
    the broker's own limit, plus our headers, could exceed it and block the partition."""
    value, headers = record.value, dead_letter_headers(record, reason)
    if value is not None and len(value) > MAX_EVENT_BYTES:
        value, headers["x-original-size"] = value[:MAX_EVENT_BYTES], str(len(value))
    return value, headers


class DeadLetters:
    """Copies a refused record to `<topic>.dlq` with the reason (only the topic's gatekeeper)."""

    def __init__(self, send_raw: SendRaw) -> None:
        self._send_raw = send_raw

    async def send(self, record, error: Exception) -> None:
        reason = describe(error)
        value, headers = dead_letter_copy(record, reason)
        await self._send_raw(f"{record.topic}.dlq", value, record.key, headers)
        log.info("dead-lettered", topic=record.topic, offset=record.offset, reason=reason)


def dead_letter_middleware(send_raw: SendRaw, retry_delays: tuple[float, ...] = (0.2, 0.5, 1, 2, 5)):
    """Build the middleware class around a raw publisher `send_raw(topic, value, key, headers)`."""

    class DeadLetterMiddleware(BaseMiddleware):
        async def consume_scope(self, call_next, msg):
            attempt = 0
            while True:
                try:
                    return await call_next(msg)
                except REFUSED as error:
                    return await _refuse(msg, error)
                except RETRYABLE as error:
                    delay = retry_delays[min(attempt, len(retry_delays) - 1)]
                    log.warning("transient failure, retrying", error=repr(error), delay=delay)
                    attempt += 1
                    await asyncio.sleep(delay)
                except Exception:
                    if isinstance(msg.raw_message, tuple):  # batches isolate their failures
                        log.exception("batch not handled, it is not acknowledged", topic=_topic_of(msg))
                        raise
                    return await _refuse(msg, NotApplied.from_current())

    dead_letters = DeadLetters(send_raw)

    def _topic_of(msg) -> str | None:
        records = msg.raw_message if isinstance(msg.raw_message, tuple) else (msg.raw_message,)
        return getattr(records[0], "topic", None) if records else None

    async def _refuse(msg, error: Exception) -> None:
        if isinstance(msg.raw_message, tuple):  # batch handlers refuse record by record: a bug
            log.error("batch not handled, it is not acknowledged", topic=_topic_of(msg), error=describe(error))
            raise error
        await dead_letters.send(msg.raw_message, error)
        await msg.ack()

    return DeadLetterMiddleware
