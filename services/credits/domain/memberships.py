"""Memberships, their periods (natural or moved by staff) and each period's allowance and usage.

A period keeps its natural start as its key. Staff may move its validity; a day covered by a moved
period belongs to it (the earliest such period if several), otherwise to its natural period unless
that one was moved away from the day.
"""

from dataclasses import dataclass, field
from datetime import date

from shared.contract.bookings import CreditSource
from services.credits.domain import periods
from services.credits.domain.adjustments import Adjustment
from services.credits.domain.claims import Claim, drawing_from


@dataclass
class PeriodRecord:
    period_key: date
    valid_from: date | None = None
    valid_to: date | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    version: int = 0

    @property
    def delta(self) -> int:
        return sum(a.delta for a in self.adjustments)

    @property
    def moved(self) -> bool:
        return self.valid_from is not None or self.valid_to is not None


@dataclass
class Membership:
    membership_id: str
    membership_name: str
    period: periods.PeriodLength
    credits_per_period: int | None
    starts_on: date
    ends_on: date | None
    fingerprint: str
    end_event_ids: list[str] = field(default_factory=list)
    periods: list[PeriodRecord] = field(default_factory=list)
    version: int = 0

    @property
    def source(self) -> CreditSource:
        return CreditSource(kind="membership", id=self.membership_id)

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def expiry_order(self) -> tuple:
        return (self.ends_on is None, self.ends_on or date.max, self.starts_on, self.membership_id)

    def has_period(self, key: date) -> bool:
        ended_before = self.ends_on is not None and key > self.ends_on
        return not ended_before and periods.is_natural_start(self.starts_on, self.period, key)

    def record(self, key: date) -> PeriodRecord | None:
        return next((r for r in self.periods if r.period_key == key), None)

    def record_for_change(self, key: date) -> PeriodRecord:
        found = self.record(key)
        if found is None:
            found = PeriodRecord(period_key=key)
            self.periods.append(found)
            self.periods.sort(key=lambda r: r.period_key)
        return found

    def window(self, key: date) -> tuple[date, date]:
        natural_end = periods.natural_end(self.starts_on, self.period, key, self.ends_on)
        found = self.record(key)
        if found is None:
            return key, natural_end
        return found.valid_from or key, found.valid_to or natural_end

    def period_key_on(self, day: date) -> date | None:
        moved = [r.period_key for r in self.periods if r.moved and self._covers(r.period_key, day)]
        if moved:
            return min(moved)
        if day < self.starts_on:
            return None
        key = periods.start_containing(self.starts_on, self.period, day)
        return key if self._covers(key, day) else None

    def max_of(self, key: date) -> int | None:
        if self.credits_per_period is None:
            return None
        found = self.record(key)
        return self.credits_per_period + (found.delta if found else 0)

    def _covers(self, key: date, day: date) -> bool:
        start, end = self.window(key)
        return self.has_period(key) and start <= day <= end


def used_in(membership: Membership, key: date, claims: list[Claim]) -> int:
    return sum(1 for c in drawing_from(claims, membership.source) if c.period_key == key)


def allowance_left(membership: Membership, key: date, claims: list[Claim]) -> int | None:
    """Credits still free in the period; None = unlimited."""
    limit = membership.max_of(key)
    return None if limit is None else limit - used_in(membership, key, claims)


def has_allowance(membership: Membership, key: date, claims: list[Claim]) -> bool:
    left = allowance_left(membership, key, claims)
    return left is None or left > 0
