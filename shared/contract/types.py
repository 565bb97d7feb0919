"""Field types the contract uses everywhere: identifiers, currencies, instants."""

from typing import Annotated

from babel.numbers import list_currencies
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

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

Instant = Annotated[AwareDatetime, Field(description="RFC 3339 instant with an offset")]

ShortText = Annotated[str, StringConstraints(max_length=200)]
Note = Annotated[str, StringConstraints(max_length=1000)]
