"""Batch consumption: each record decoded on its own, so one bad message never sinks a batch.

A batch subscriber's decoder turns every record into its contract model, or None where the
record is refused; the handler signature keeps the contract type (so AsyncAPI documents it),
and `refusals` recovers the reason for each None to dead-letter that record alone.
"""

from collections.abc import Iterable

from pydantic import TypeAdapter

from shared.wiring.dead_letter import REFUSED, RETRYABLE, NotApplied
from shared.wiring.decoding import decode_json


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


async def apply_isolating_failures(apply, events: list) -> list[tuple[object, Exception]]:
    """`apply(events)`; if it fails for another reason than an outage, each event is applied
    alone and the ones that still fail are refused with what went wrong, so one event the code
    cannot handle (a bug) costs that event, not its whole batch. Effects are idempotent by
    construction, so applying again what a failed batch may have stored changes nothing."""
    try:
        return await apply(events)
    except RETRYABLE:
        raise
    except Exception:
        if len(events) <= 1:
            return [(event, NotApplied.from_current()) for event in events]
    broken = []
    for event in events:
        try:
            broken += await apply([event])
        except RETRYABLE:
            raise
        except Exception:
            broken.append((event, NotApplied.from_current()))
    return broken


async def judge_batch(adapter: TypeAdapter, events: list, msg, apply, dead_letters) -> None:
    """A gatekeeper's batch: dead-letter what fails validation, apply the rest, dead-letter what
    breaks a rule, then commit.

    `apply` takes the valid events in order and returns (event, error) for each it refused; the
    offsets are committed only after every effect and every dead letter is stored.
    """
    records = msg.raw_message
    for record, error in refusals(adapter, records, events):
        await dead_letters.send(record, error)
    valid = [(record, event) for record, event in zip(records, events, strict=True) if event is not None]
    broken = await apply_isolating_failures(apply, [event for _, event in valid])
    record_of = {id(event): record for record, event in valid}
    for event, error in broken:
        await dead_letters.send(record_of[id(event)], error)
    await msg.ack()
