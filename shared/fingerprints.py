"""Content fingerprints (to tell an exact redelivery from a conflict) and deterministic ids.

Pure and shared by every domain that must recognise the same fact arriving twice: Kafka
delivers at least once and topics are replayed, so "seen before" is decided by content.
"""

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel

from shared.rules import ConflictingDuplicate


def fingerprint(**fields: Any) -> str:
    text = json.dumps(fields, sort_keys=True, default=_canonical)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def stable_id(prefix: str, *parts: object) -> str:
    """A short id (≤ 64 chars) that the same parts always give; JSON keeps the parts apart."""
    digest = hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:40]
    return f"{prefix}-{digest}"


def is_repeat(stored: str, given: str, what: str, ident: str) -> bool:
    """True when `ident` was already recorded with the same content; other content is refused."""
    if stored != given:
        raise ConflictingDuplicate(what, ident)
    return True


def _canonical(value: Any) -> Any:
    # Equal instants written with different offsets are the same fact.
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError(f"{value!r} has no time zone; instants must be aware")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot fingerprint {type(value).__name__}")
