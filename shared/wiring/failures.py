"""Outages: the store or the broker failing, waited out in place (docs/failure-model.md).

A consumer that meets an outage never skips the event nor dead-letters it: it tries the same
step again, after a capped exponential backoff with jitter, until it passes. While it waits,
`/health/ready` says which consumer waits and why, and `consumer_retries_total` counts each try
by subscriber and error class.

What counts as an outage: every PyMongo error but a duplicate key (FerretDB answers a read-only
PostgreSQL, a terminated backend or a statement timeout with `OperationFailure` or `WriteError`,
not with a connection error), every aiokafka error, and OSError / TimeoutError. Anything else
raised by our code is a bug (shared.wiring.batches isolates it to one event).
"""

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from aiokafka.errors import KafkaError
from faststream import BaseMiddleware
from prometheus_client import CollectorRegistry, Counter
from pymongo.errors import BulkWriteError, PyMongoError

from shared.wiring.logging import get_logger
from shared.wiring.mongo import is_duplicate_key, only_duplicate_keys

log = get_logger(__name__)

T = TypeVar("T")


def is_outage(error: BaseException) -> bool:
    """Whether the store or the broker failed (retry in place), rather than our code."""
    if isinstance(error, BulkWriteError):
        return bool(error.details.get("writeConcernErrors")) or not only_duplicate_keys(error)
    if isinstance(error, PyMongoError):
        return not is_duplicate_key(error)
    return isinstance(error, (KafkaError, OSError, TimeoutError))


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter: try n waits between half and all of
    min(cap, first * 2**(n-1)) seconds, so many consumers do not hammer a recovering store at once."""

    first: float = 0.1
    cap: float = 5.0

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap, self.first * 2 ** max(0, attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


@dataclass
class Waiting:
    error: str
    since: datetime
    retries: int = 0


class Outages:
    """Waits out outages for the consumers of one service, and says who is waiting and why."""

    def __init__(self, registry: CollectorRegistry | None = None, backoff: Backoff = Backoff(),
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.backoff = backoff
        self._now = now  # the real time: this is operational state, not business time
        self._waiting: dict[str, Waiting] = {}
        self.retries = Counter("consumer_retries", "Steps of a Kafka consumer tried again after an outage",
                               ["subscriber", "error"], registry=registry)

    async def outlast(self, subscriber: str, step: Callable[[], Awaitable[T]], every_error: bool = False) -> T:
        """`await step()` until it passes; an outage (any error, with `every_error`) is retried in
        place. Any other error is raised at once."""
        attempt = 0
        try:
            while True:
                try:
                    return await step()
                except Exception as error:
                    if not (every_error or is_outage(error)):
                        raise
                    attempt += 1
                    await self._wait(subscriber, error, attempt)
        finally:
            if attempt:
                self._waiting.pop(subscriber, None)
                log.info("no longer waiting", subscriber=subscriber, retries=attempt)

    async def _wait(self, subscriber: str, error: Exception, attempt: int) -> None:
        waiting = self._waiting.setdefault(subscriber, Waiting("", self._now()))
        waiting.error, waiting.retries = f"{type(error).__name__}: {error}"[:300], attempt
        self.retries.labels(subscriber=subscriber, error=type(error).__name__).inc()
        delay = self.backoff.delay(attempt)
        log.warning("outage, retrying in place", subscriber=subscriber, error=waiting.error, attempt=attempt,
                    retry_in_s=round(delay, 3))
        await asyncio.sleep(delay)

    def status(self) -> bool | str:
        """True when no consumer waits; else what each one waits on, since when."""
        if not self._waiting:
            return True
        return "retrying: " + "; ".join(
            f"{name}: {w.error} since {w.since.isoformat(timespec='seconds')} ({w.retries} retries)"
            for name, w in sorted(self._waiting.items()))

    async def check(self) -> bool | str:
        return self.status()


def never_give_up_middleware(outages: Outages):
    """The last line behind shared.wiring.batches, on every inbound router: an error escaping a
    handler would be swallowed by FastStream and the next batch's commit would pass over the
    records it held, so the handler is run again (with backoff, reported on /health/ready) until
    it returns."""

    class HandlerNeverGivesUp(BaseMiddleware):
        async def consume_scope(self, call_next, msg):
            return await outages.outlast(_subscriber_of(msg), lambda: _logged(call_next, msg), every_error=True)

    return HandlerNeverGivesUp


async def _logged(call_next, msg):
    try:
        return await call_next(msg)
    except Exception:
        log.exception("a handler raised; its records are not committed, it runs again")
        raise


def _subscriber_of(msg) -> str:
    records = msg.raw_message if isinstance(msg.raw_message, tuple | list) else (msg.raw_message,)
    return f"handler of {getattr(records[0], 'topic', '?')}" if records else "handler"
