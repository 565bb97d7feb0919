"""What staff read: packages, membership periods and the account balance, judged at `now`."""

from datetime import date, datetime, tzinfo
from typing import Any

from services.credits.domain import memberships, packages
from services.credits.domain.adjustments import adjustment_record
from services.credits.domain.claims import Claim
from services.credits.domain.instants import as_utc, local_date
from services.credits.domain.ledger import Account
from services.credits.domain.memberships import Membership
from services.credits.domain.packages import Package


def package_view(package: Package, claims: list[Claim], now: datetime, zone: tzinfo) -> dict[str, Any]:
    held = packages.holds(package, claims)
    booked = sum(1 for c in held if c.starts_at > as_utc(now))
    expired = package.expires_on is not None and local_date(now, zone) > package.expires_on
    return {
        "package_id": package.package_id,
        "package_name": package.package_name,
        "total": package.total,
        "available": packages.available(package, claims),
        "booked": booked,
        "used": packages.consumed(package, claims) + len(held) - booked,
        "starts_on": package.starts_on,
        "expires_on": package.expires_on,
        "status": "expired" if expired else "active",
        "adjustments": [adjustment_record(a) for a in package.adjustments],
    }


def period_view(membership: Membership, key: date, claims: list[Claim]) -> dict[str, Any]:
    starts_on, ends_on = membership.window(key)
    return {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "used": memberships.used_in(membership, key, claims),
        "max": membership.max_of(key),
    }


def membership_view(membership: Membership, claims: list[Claim], now: datetime, zone: tzinfo) -> dict[str, Any]:
    return {
        "membership_id": membership.membership_id,
        "membership_name": membership.membership_name,
        "periods": [period_view(membership, key, claims) for key in _shown_periods(membership, claims, local_date(now, zone))],
    }


def balance_view(account: Account) -> dict[str, Any]:
    return {"balance_minor": account.balance_minor, "currency": account.currency}


def _shown_periods(membership: Membership, claims: list[Claim], today: date) -> list[date]:
    """Periods with usage or a staff change, plus the one running today."""
    keys = {
        r.period_key
        for r in membership.periods
        if membership.has_period(r.period_key)
        and (r.delta or r.moved or memberships.used_in(membership, r.period_key, claims))
    }
    current = membership.period_key_on(today) if membership.is_active_on(today) else None
    return sorted(keys | ({current} if current else set()))
