"""Content fingerprints (to tell an exact redelivery from a conflict) and deterministic ids."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from services.bookings.domain.errors import ConflictingDuplicate


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
        return value.astimezone(UTC).isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot fingerprint {type(value).__name__}")
