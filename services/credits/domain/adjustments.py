"""Staff changes to a package's or a period's credits, kept with who made them and why."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from services.credits.domain.errors import InvalidAdjustment

Action = Literal["add", "deduct"]


@dataclass
class Adjustment:
    command_id: str
    delta: int
    note: str | None
    actor: str
    at: datetime


def signed_credits(action: str, credits: int, minimum: int = 1) -> int:
    if action not in ("add", "deduct"):
        raise InvalidAdjustment(f"must be 'add' or 'deduct', not {action!r}", "action")
    if credits < minimum:
        raise InvalidAdjustment(f"must be at least {minimum}, not {credits}", "credits")
    return credits if action == "add" else -credits
