"""Staff changes to a package's or a period's credits or validity, kept with who made them and why."""

from dataclasses import dataclass, field
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
    # the validity after this adjustment (None on adjustments stored before validity was recorded)
    starts_on: date | None = None
    expires_on: date | None = None
    changed: list[str] = field(default_factory=list)  # "credits", "starts_on", "expires_on"


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
            "changed": adjustment.changed or (["credits"] if delta else [])}
