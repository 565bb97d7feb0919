"""The envelope every message on every topic carries."""

from pydantic import ConfigDict, Field

from shared.contract.types import Identifier, Instant, StorableText


class Event(StorableText):
    """Base of every event: the envelope fields of the contract. Subclasses fix `type`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Identifier = Field(description="Unique per event; a redelivery has no further effect")
    occurred_at: Instant = Field(description="When it happened")
    location_id: Identifier
    client_id: Identifier = Field(description="Unique across the brand; the Kafka key")
