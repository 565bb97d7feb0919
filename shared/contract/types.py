"""Field types the contract uses everywhere: identifiers, currencies, instants."""

from datetime import UTC, datetime
from typing import Annotated

from babel.numbers import list_currencies
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints, model_validator

Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$"),
    Field(description="1-64 characters of [A-Za-z0-9._:-]"),
]

_CURRENCIES = frozenset(list_currencies())


def _known_currency(code: str) -> str:
    if code not in _CURRENCIES:
        raise ValueError(f"unknown ISO 4217 currency {code!r}")
    return code


Currency = Annotated[
    str,
    StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$"),
    AfterValidator(_known_currency),
    Field(description="ISO 4217 currency code"),
]

def _representable_in_utc(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range once converted to UTC") from None
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_representable_in_utc),
                    Field(description="RFC 3339 instant with an offset")]

SAFE_INTEGER = 2**53 - 1
"""The largest integer every reader of our JSON keeps exactly (a double's mantissa), well inside
what MongoDB stores (64 bits). Unbounded integers would pass validation and then fail the store."""

SafeInt = Annotated[int, Field(ge=-SAFE_INTEGER, le=SAFE_INTEGER)]

MAX_MINOR = 10**13
"""Largest amount of one entry, in minor units (100 billion in a two-decimal currency): a ledger
of 900,000 such entries still fits a 64-bit balance."""

MinorUnits = Annotated[int, Field(ge=-MAX_MINOR, le=MAX_MINOR)]

ShortText = Annotated[str, StringConstraints(max_length=200)]
Note = Annotated[str, StringConstraints(max_length=1000)]


def _nul_at(value: object, path: str = "") -> str | None:
    """The path of the first text holding U+0000, if any."""
    if isinstance(value, str):
        return (path or "text") if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return None
    return next((found for key, item in items
                 if (found := _nul_at(key, path) or _nul_at(item, f"{path}.{key}" if path else str(key)))), None)


class StorableText(BaseModel):
    """Refuses text holding U+0000 anywhere in the input: valid JSON and valid for MongoDB, but
    FerretDB on PostgreSQL (jsonb) cannot store it, so the write would fail after validation."""

    @model_validator(mode="before")
    @classmethod
    def _without_nul(cls, data: object) -> object:
        if (path := _nul_at(data)) is not None:
            raise ValueError(f"{path}: text must not contain the NUL character (U+0000)")
        return data
