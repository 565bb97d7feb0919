"""One failure model for every Kafka consumer of the platform (docs/failure-model.md).

Records arrive in batches. A batch subscriber's decoder turns every record into its contract
model, or None where the record is refused; the handler signature keeps the contract type (so
AsyncAPI documents it), and `refusals` recovers the reason for each None. A `BatchConsumer`
then takes the batch through three kinds of failure:

- refused input (does not decode, fails validation, breaks a rule): the topic's gatekeeper
  copies it to `<topic>.dlq` with the reason; another consumer of the topic skips a record it
  cannot decode (the gatekeeper dead-letters it) and dead-letters a rule its own code refuses;
- an outage (the store or the broker failing, shared.wiring.failures): the step is tried again
  in place until it passes; never skipped, never dead-lettered, nothing committed meanwhile;
- a bug (anything else): the batch is applied again an event at a time, so the event that
  fails costs that event alone; after `bug_tries` tries it is dead-lettered as `could not be
  applied: <error>` (traceback logged), by whichever consumer it is, the group named in
  `x-consumer-group`.

The offsets are committed only once every record of the batch is stored or dead-lettered. A
dead letter that cannot be published is an outage: tried again, never committed past.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiokafka.errors import CommitFailedError, IllegalStateError
from pydantic import TypeAdapter

from shared.rules import RuleViolation
from shared.wiring.dead_letter import REFUSED, DeadLetters, NotApplied
from shared.wiring.decoding import decode_json
from shared.wiring.failures import Outages
from shared.wiring.logging import get_logger

log = get_logger(__name__)

Refusals = list[tuple[object, Exception]]
# apply(valid events, in order) -> (event, error) for each it refused (None: it refuses nothing)
Apply = Callable[[list], Awaitable[Refusals | None]]


def batch_decoder(adapter: TypeAdapter):
    async def decode(msg) -> list:
        return [_decode_or_none(adapter, record.value) for record in msg.raw_message]

    return decode


def _decode_or_none(adapter: TypeAdapter, value: bytes | None):
    try:
        return adapter.validate_python(decode_json(value))
    except REFUSED:
        return None


def refusals(adapter: TypeAdapter, records: Iterable, events: list) -> list[tuple[object, Exception]]:
    """(record, error) for every record the decoder refused."""
    found = []
    for record, event in zip(records, events, strict=True):
        if event is None:
            try:
                adapter.validate_python(decode_json(record.value))
            except REFUSED as error:
                found.append((record, error))
    return found


@dataclass
class BatchConsumer:
    """What one subscriber does with each batch; `await consumer(events, msg)` in the handler."""

    name: str  # the subscriber, as metrics and /health/ready name it ("credits/sales")
    group: str
    adapter: TypeAdapter
    apply: Apply
    dead_letters: DeadLetters
    outages: Outages
    gatekeeper: bool = True
    bug_tries: int = 3

    async def __call__(self, events: list, msg) -> None:
        records = msg.raw_message
        if self.gatekeeper:
            for record, error in refusals(self.adapter, records, events):
                await self._dead_letter(record, error)
        valid = [(record, event) for record, event in zip(records, events, strict=True) if event is not None]
        await self._apply_batch(valid)
        await self.outages.outlast(self.name, lambda: _commit(msg))

    async def _apply_batch(self, valid: list[tuple]) -> None:
        try:
            refused = await self.outages.outlast(self.name, lambda: self.apply([event for _, event in valid]))
        except Exception as error:  # a bug, or a rule raised rather than returned: find the event
            log.warning("batch failed, applying its events one at a time", subscriber=self.name, error=repr(error))
            for record, event in valid:
                await self._apply_alone(record, event)
            return
        await self._dead_letter_refused(valid, refused)

    async def _apply_alone(self, record, event) -> None:
        for attempt in range(1, self.bug_tries + 1):
            try:
                refused = await self.outages.outlast(self.name, lambda: self.apply([event]))
            except RuleViolation as error:  # input is refused at the decoder or by a rule, nowhere else
                return await self._dead_letter(record, error)
            except Exception:
                if attempt == self.bug_tries:
                    return await self._dead_letter(record, NotApplied.from_current())
                log.warning("event failed, trying it again", subscriber=self.name, attempt=attempt, exc_info=True)
                await asyncio.sleep(self.outages.backoff.delay(attempt))
                continue
            return await self._dead_letter_refused([(record, event)], refused)

    async def _dead_letter_refused(self, valid: list[tuple], refused: Refusals | None) -> None:
        record_of = {id(event): record for record, event in valid}
        for event, error in refused or ():
            await self._dead_letter(record_of[id(event)], error)

    async def _dead_letter(self, record, error: Exception) -> None:
        await self.outages.outlast(self.name, lambda: self.dead_letters.send(record, error, self.group),
                                   every_error=True)


async def _commit(msg) -> None:
    try:
        await msg.ack()
    except (CommitFailedError, IllegalStateError) as error:
        # The group rebalanced while the batch was applied: its partitions moved to another
        # member, which reads them again from the last commit (every effect is idempotent).
        log.warning("batch applied but not committed: the partitions moved", error=repr(error))


@dataclass
class Consumers:
    """Builds a service's BatchConsumers around its dead-letter sender and its outage watch."""

    dead_letters: DeadLetters
    outages: Outages

    def __call__(self, name: str, group: str, adapter: TypeAdapter, apply: Apply,
                 gatekeeper: bool = True) -> BatchConsumer:
        return BatchConsumer(name, group, adapter, apply, self.dead_letters, self.outages, gatekeeper)
