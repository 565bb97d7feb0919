"""Session-credit packages and how many of their credits are held, consumed or left."""

from dataclasses import dataclass, field
from datetime import date

from shared.contract.bookings import CreditSource
from services.credits.domain.adjustments import Adjustment
from services.credits.domain.claims import Claim, drawing_from


@dataclass
class Package:
    package_id: str
    package_name: str
    credits_purchased: int
    starts_on: date
    expires_on: date | None
    fingerprint: str
    adjustments: list[Adjustment] = field(default_factory=list)
    version: int = 0

    @property
    def source(self) -> CreditSource:
        return CreditSource(kind="package", id=self.package_id)

    @property
    def credits_adjusted(self) -> int:
        return sum(a.delta for a in self.adjustments)

    @property
    def total(self) -> int:
        return self.credits_purchased + self.credits_adjusted

    def serves_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.expires_on is None or day <= self.expires_on)

    def expiry_order(self) -> tuple:
        """Earliest expiry first, never-expiring last; ties by start, then id."""
        return (self.expires_on is None, self.expires_on or date.max, self.starts_on, self.package_id)


def holds(package: Package, claims: list[Claim]) -> list[Claim]:
    return [c for c in drawing_from(claims, package.source) if c.state == "held"]


def consumed(package: Package, claims: list[Claim]) -> int:
    return sum(1 for c in drawing_from(claims, package.source) if c.state == "consumed")


def available(package: Package, claims: list[Claim]) -> int:
    return package.total - len(drawing_from(claims, package.source))
