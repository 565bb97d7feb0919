"""The events one call decides, with ids derived from the cause so a retry repeats them exactly."""

from datetime import datetime
from typing import Any

from shared.contract.credits import CreditsEvent
from shared.fingerprints import stable_id


class Outputs:
    def __init__(self, location_id: str, client_id: str, cause_id: str, occurred_at: datetime) -> None:
        self.location_id = location_id
        self.client_id = client_id
        self.cause_id = cause_id
        self.occurred_at = occurred_at
        self.events: list[CreditsEvent] = []

    def emit(self, event_type: type, occurred_at: datetime | None = None, **fields: Any) -> None:
        index = len(self.events)
        self.events.append(
            event_type(
                event_id=stable_id("cr", self.location_id, self.client_id, self.cause_id, index),
                occurred_at=occurred_at or self.occurred_at,
                location_id=self.location_id,
                client_id=self.client_id,
                **fields,
            )
        )
