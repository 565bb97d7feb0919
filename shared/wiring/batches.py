"""Batch consumption: each record decoded on its own, so one bad message never sinks a batch.

A batch subscriber's decoder turns every record into its contract model, or None where the
record is refused; the handler signature keeps the contract type (so AsyncAPI documents it),
and `refusals` recovers the reason for each None to dead-letter that record alone.
"""

from collections.abc import Iterable

from pydantic import TypeAdapter

from shared.wiring.dead_letter import REFUSED
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
