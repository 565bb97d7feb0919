"""`studio.locations.v1`: the studios themselves, published by the platform's location service.

The envelope has no `client_id`: the Kafka key is `location_id`, so one location's events stay in
order. `time_zone` is an IANA name, checked against the pinned `tzdata` package (shared.zones);
every calendar date of the location is one of its own local days.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from shared.contract.types import Currency, Identifier, Instant, StorableText
from shared.zones import is_iana_name


def _iana(name: str) -> str:
    if not is_iana_name(name):
        raise ValueError(f"not an IANA time zone name (such as America/Los_Angeles): {name[:64]!r}")
    return name


TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_iana),
    Field(description="IANA time zone name, e.g. America/Los_Angeles", examples=["Europe/London"]),
]
LocationName = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class LocationEvent(StorableText):
    """The envelope of `studio.locations.v1`: the contract's, without `client_id`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Identifier = Field(description="Unique per event; a redelivery has no further effect")
    occurred_at: Instant = Field(description="When it happened")
    location_id: Identifier = Field(description="The Kafka key")


class LocationRegistered(LocationEvent):
    type: Literal["location.registered"] = "location.registered"
    name: LocationName
    time_zone: TimeZone
    currency: Currency | None = None


class LocationUpdated(LocationEvent):
    """Carries only what changed; an absent (or null) field keeps its value."""

    type: Literal["location.updated"] = "location.updated"
    name: LocationName | None = None
    time_zone: TimeZone | None = None
    currency: Currency | None = None


LocationsEvent = Annotated[LocationRegistered | LocationUpdated, Field(discriminator="type")]
