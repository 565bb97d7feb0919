"""Bookings and check-ins that asked for a credit, and what became of it.

A claim is recorded even when rejected, so a repeat of its event is recognised and changes nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal

from shared.contract.bookings import CreditSource
from services.credits.domain.instants import local_date

ClaimKind = Literal["booking", "checkin"]
ClaimState = Literal["held", "released", "consumed", "rejected"]
Outcome = Literal["released", "late_cancel", "attended", "no_show", "checkin"]


@dataclass
class Claim:
    kind: ClaimKind
    claim_id: str
    fingerprint: str
    starts_at: datetime
    state: ClaimState = "held"
    source: CreditSource | None = None
    period_key: date | None = None
    reason: str | None = None
    closed_by: str | None = None
    outcome: Outcome | None = None

    def day(self, zone: tzinfo) -> date:
        """The day the credit serves: the session's (or check-in's) local date at the location."""
        return local_date(self.starts_at, zone)

    @property
    def ids(self) -> dict[str, str]:
        return {f"{self.kind}_id": self.claim_id}

    @property
    def takes_credit(self) -> bool:
        return self.state in ("held", "consumed")

    def describe(self) -> str:
        if self.state == "rejected":
            return f"rejected ({self.reason})"
        return self.outcome or self.state


def drawing_from(claims: list[Claim], source: CreditSource) -> list[Claim]:
    return [c for c in claims if c.takes_credit and c.source == source]
