"""Content fingerprints (to tell a repeat from a conflict) and deterministic identifiers."""

import hashlib
import json
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from services.credits.domain.errors import ConflictingDuplicate
from services.credits.domain.instants import as_utc


def fingerprint(**fields: Any) -> str:
    text = json.dumps(fields, sort_keys=True, default=_canonical)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def stable_id(prefix: str, *parts: object) -> str:
    """A short id (≤ 64 chars) that the same parts always give; JSON keeps the parts apart."""
    digest = hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:40]
    return f"{prefix}-{digest}"


def is_repeat(stored: str, given: str, what: str, ident: str) -> bool:
    """True when `ident` was already recorded with the same content; a different content is refused."""
    if stored != given:
        raise ConflictingDuplicate(what, ident)
    return True


def _canonical(value: Any) -> Any:
    # Equal instants written with different offsets must give the same fingerprint.
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot fingerprint {type(value).__name__}")
