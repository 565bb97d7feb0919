"""Which package or membership serves a booking or check-in on a given day, or why none can."""

from dataclasses import dataclass
from datetime import date

from shared.contract.bookings import CreditSource
from shared.contract.credits import RejectionReason
from services.credits.domain import memberships, packages
from services.credits.domain.memberships import Membership
from services.credits.domain.packages import Package
from services.credits.domain.state import CreditsState


@dataclass(frozen=True)
class Choice:
    source: CreditSource
    period_key: date | None = None


@dataclass(frozen=True)
class Rejection:
    reason: RejectionReason
    detail: str


def choose_source(state: CreditsState, day: date, named: CreditSource | None) -> Choice | Rejection:
    if named is None:
        return _any_source(state, day)
    if named.kind == "package":
        return _named_package(state, state.package(named.id), named.id, day)
    return _named_membership(state, state.membership(named.id), named.id, day)


def _any_source(state: CreditsState, day: date) -> Choice | Rejection:
    usable = [p for p in state.packages if p.serves_on(day) and packages.available(p, state.claims) > 0]
    if usable:
        return Choice(min(usable, key=Package.expiry_order).source)
    for membership in sorted(state.memberships, key=Membership.expiry_order):
        choice = _membership_choice(state, membership, day)
        if isinstance(choice, Choice):
            return choice
    return Rejection("no_credits", f"no package or membership has a credit left for {day}")


def _named_package(state: CreditsState, package: Package | None, package_id: str, day: date) -> Choice | Rejection:
    if package is None:
        return Rejection("source_not_found", f"package {package_id} not found")
    if package.expires_on is not None and day > package.expires_on:
        return Rejection("source_expired", f"package {package_id} expired on {package.expires_on}")
    if day < package.starts_on:
        return Rejection("source_not_started", f"package {package_id} starts on {package.starts_on}")
    if packages.available(package, state.claims) <= 0:
        return Rejection("source_exhausted", f"package {package_id} has no credit left")
    return Choice(package.source)


def _named_membership(
    state: CreditsState, membership: Membership | None, membership_id: str, day: date
) -> Choice | Rejection:
    if membership is None:
        return Rejection("source_not_found", f"membership {membership_id} not found")
    if membership.ends_on is not None and day > membership.ends_on:
        return Rejection("source_expired", f"membership {membership_id} ended on {membership.ends_on}")
    if day < membership.starts_on:
        return Rejection("source_not_started", f"membership {membership_id} starts on {membership.starts_on}")
    return _membership_choice(state, membership, day)


def _membership_choice(state: CreditsState, membership: Membership, day: date) -> Choice | Rejection:
    key = membership.period_key_on(day) if membership.is_active_on(day) else None
    if key is None:
        return Rejection("source_exhausted", f"no period of membership {membership.membership_id} covers {day}")
    if not memberships.has_allowance(membership, key, state.claims):
        return Rejection("source_exhausted", f"the period of {membership.membership_id} from {key} is used up")
    return Choice(membership.source, key)
