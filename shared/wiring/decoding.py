"""Turning an inbound record's bytes into JSON, or into a refusal with a reason, never a crash.

Every inbound subscriber decodes through `decode_json`, so whatever arrives (garbage bytes, a
megabyte of text, JSON nested ten thousand deep, a number with a million digits) either becomes
a value for the contract models to validate or raises one of `UNREADABLE`, which the dead-letter
path records with its reason.
"""

import json

MAX_EVENT_BYTES = 256 * 1024
"""The largest record an inbound subscriber reads. Contract events are a few hundred bytes (their
longest field, a note, is 1,000 characters); anything this big is not one of ours."""


class UnreadableRecord(ValueError):
    """The record cannot be read as JSON at all (or not within what an event may be)."""


class RecordTooLarge(UnreadableRecord):
    def __init__(self, size: int) -> None:
        super().__init__(f"too large: {size} bytes, the limit is {MAX_EVENT_BYTES} bytes")
        self.size = size


UNREADABLE = (UnreadableRecord, json.JSONDecodeError, UnicodeDecodeError)


def decode_json(value: bytes | None) -> object:
    """The JSON value of a record; raises one of UNREADABLE otherwise."""
    body = value or b""
    if len(body) > MAX_EVENT_BYTES:
        raise RecordTooLarge(len(body))
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except RecursionError:
        raise UnreadableRecord("not valid JSON: nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        raise UnreadableRecord(f"not valid JSON: {error}"[:300]) from None
