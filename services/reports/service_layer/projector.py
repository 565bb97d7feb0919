"""The one projection of `studio.locations.v1`, `studio.clients.v1` and `studio.credits.v1` onto the read models.

The live subscribers and the rebuild both apply records through it, a batch at a time, so a
rebuilt generation is built by exactly the code that keeps the live one.
"""

from collections.abc import Iterable

from aiokafka import ConsumerRecord

from services.reports.domain.folding import fold
from services.reports.adapters.store import ReportsStore
from shared.contract import EVENTS_BY_TOPIC
from shared.contract.clients import ClientEvent
from shared.contract.credits import CreditsEvent
from shared.contract.topics import CLIENTS, CREDITS, LOCATIONS
from shared.wiring.dead_letter import REFUSED
from shared.wiring.decoding import decode_json

ADAPTERS = {topic.name: EVENTS_BY_TOPIC[topic.name] for topic in (LOCATIONS, CLIENTS, CREDITS)}  # what it projects


class Projector:
    def __init__(self, store: ReportsStore) -> None:
        self.store = store

    async def apply(self, events: Iterable[ClientEvent | CreditsEvent]) -> list:
        """Apply valid events of either topic, in any order; returns the refused ones (none: the
        projection has no rule to break, what could not be decoded never gets here)."""
        await self.store.apply(fold(events))
        return []

    async def records(self, records: Iterable[ConsumerRecord]) -> int:
        """Apply raw records as the subscribers would; returns how many were applied. A record that
        does not decode is skipped: its gatekeeper dead-lettered it when it was first consumed."""
        events = []
        for record in records:
            try:
                events.append(ADAPTERS[record.topic].validate_python(decode_json(record.value)))
            except REFUSED:
                continue
        await self.apply(events)
        return len(events)
