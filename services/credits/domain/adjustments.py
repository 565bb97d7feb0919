"""Staff changes to a package's or a period's credits or validity, kept with who made them and why."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from services.credits.domain.errors import InvalidAdjustment

Action = Literal["add", "deduct"]


@dataclass
class Adjustment:
    command_id: str
    delta: int
    note: str | None
    actor: str
    at: datetime
    starts_on: date | None  # the validity after this adjustment
    expires_on: date | None
    changed: list[str]  # "credits", "starts_on", "expires_on"


def signed_credits(action: str, credits: int, minimum: int = 1) -> int:
    if action not in ("add", "deduct"):
        raise InvalidAdjustment(f"must be 'add' or 'deduct', not {action!r}", "action")
    if credits < minimum:
        raise InvalidAdjustment(f"must be at least {minimum}, not {credits}", "credits")
    return credits if action == "add" else -credits


def adjustment_record(adjustment: Adjustment) -> dict[str, Any]:
    """What an adjustment's events and the staff page show: the change, its note and its actor."""
    delta = adjustment.delta
    return {"adjustment_id": adjustment.command_id, "at": adjustment.at,
            "action": "add" if delta > 0 else "deduct" if delta < 0 else None, "credits": abs(delta) or None,
            "starts_on": adjustment.starts_on, "expires_on": adjustment.expires_on,
            "note": adjustment.note, "actor": adjustment.actor,
            "changed": adjustment.changed}
