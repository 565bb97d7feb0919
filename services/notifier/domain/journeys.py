"""Journeys: steps scheduled `after` an audience entry, each at most once per entry.

A scheduled step's id is the tuple (journey, location, client, entry, step), and so is the id of
the message it becomes, so a replayed entry schedules nothing new and a due step is sent once.
"""

from dataclasses import dataclass
from datetime import datetime

import isodate

from services.notifier.domain.membership import current_entry
from services.notifier.domain.messages import message_id


@dataclass(frozen=True)
class Step:
    after: str  # ISO 8601 duration
    template_id: str


@dataclass(frozen=True)
class Journey:
    id: str
    name: str
    audience_id: str
    steps: tuple[Step, ...]
    location_ids: frozenset[str] = frozenset()  # empty: every location of its audience

    def covers(self, location_id: str) -> bool:
        """A journey made by an admin of some locations runs only for members of those locations."""
        return not self.location_ids or location_id in self.location_ids


def journey_from(doc: dict) -> Journey:
    steps = tuple(Step(s["after"], s["template_id"]) for s in doc["steps"])
    return Journey(doc["_id"], doc["name"], doc["audience_id"], steps, frozenset(doc.get("location_ids") or ()))


def due_at(entered_at: datetime, after: str) -> datetime:
    return entered_at + isodate.parse_duration(after)  # P1M and P1Y move by the calendar


def step_message_id(journey_id: str, location_id: str, client_id: str, entry: int, step: int) -> str:
    return message_id("journey", journey_id, location_id, client_id, str(entry), str(step))


def schedule(journey: Journey, location_id: str, client_id: str, entry: int, entered_at: datetime) -> list[dict]:
    """The step documents one audience entry starts (none outside the journey's locations)."""
    if not journey.covers(location_id):
        return []
    return [{
        "_id": step_message_id(journey.id, location_id, client_id, entry, index),
        "journey_id": journey.id, "audience_id": journey.audience_id, "location_id": location_id,
        "client_id": client_id, "entry": entry, "step": index, "template_id": step.template_id,
        "due_at": due_at(entered_at, step.after), "status": "pending",
    } for index, step in enumerate(journey.steps)]


def still_wanted(step: dict, member: dict | None) -> bool:
    """Send only while the client is still inside the audience, in the same entry."""
    return current_entry(member, step["audience_id"]) == step["entry"]
