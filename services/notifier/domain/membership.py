"""Entering and leaving audiences: each change of a member is judged against every audience."""

from dataclasses import dataclass
from datetime import date, datetime

from services.notifier.domain.conditions import Audience
from services.notifier.domain.members import facts


@dataclass(frozen=True)
class Transition:
    audience_id: str
    entered: bool  # False: left
    entry: int  # which entry this is (1, 2, ... for re-entries), or which one ended
    at: datetime


def reevaluate(member: dict, audiences: list[Audience], today: date, at: datetime) -> tuple[dict, list[Transition]]:
    """The member with its audience memberships brought up to date, and what changed."""
    known, changes = dict(member["audiences"]), []
    member_facts = facts(member, today)
    for audience in audiences:
        was = known.get(audience.id, {"in": False, "entry": 0})
        inside = audience.admits(member["location_id"], member_facts)
        if inside != was["in"]:
            entry = was["entry"] + 1 if inside else was["entry"]
            known[audience.id] = {"in": inside, "entry": entry, "since": at}
            changes.append(Transition(audience.id, inside, entry, at))
    return {**member, "audiences": known}, changes


def current_entry(member: dict | None, audience_id: str) -> int | None:
    """The entry number the member is in now, None if outside the audience."""
    state = (member or {}).get("audiences", {}).get(audience_id)
    return state["entry"] if state and state["in"] else None
