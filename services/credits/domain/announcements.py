"""Snapshot and ledger events. Announcing a snapshot bumps the entity's version by one."""

from datetime import date

from shared.contract.credits import (
    AccountEntryRecorded,
    Hold,
    MembershipChanged,
    MembershipPeriodChanged,
    PackageChanged,
)
from services.credits.domain import memberships, packages
from services.credits.domain.adjustments import adjustment_record
from services.credits.domain.claims import Claim
from services.credits.domain.ledger import Entry
from services.credits.domain.memberships import Membership
from services.credits.domain.outputs import Outputs
from services.credits.domain.packages import Package
from services.credits.domain.state import CreditsState


def announce_package(package: Package, claims: list[Claim], out: Outputs) -> None:
    package.version += 1
    held = sorted(packages.holds(package, claims), key=lambda c: (c.starts_at, c.claim_id))
    out.emit(
        PackageChanged,
        package_id=package.package_id,
        package_name=package.package_name,
        version=package.version,
        credits_purchased=package.credits_purchased,
        credits_adjusted=package.credits_adjusted,
        total=package.total,
        consumed=packages.consumed(package, claims),
        holds=[Hold(booking_id=c.claim_id, session_starts_at=c.starts_at) for c in held],
        starts_on=package.starts_on,
        expires_on=package.expires_on,
        adjustments=[adjustment_record(a) for a in package.adjustments],
    )


def announce_period(membership: Membership, key: date, claims: list[Claim], out: Outputs) -> None:
    record = membership.record_for_change(key)
    record.version += 1
    starts_on, ends_on = membership.window(key)
    out.emit(
        MembershipPeriodChanged,
        membership_id=membership.membership_id,
        membership_name=membership.membership_name,
        period_key=key,
        version=record.version,
        starts_on=starts_on,
        ends_on=ends_on,
        used=memberships.used_in(membership, key, claims),
        max=membership.max_of(key),
        adjustments=[adjustment_record(a) for a in record.adjustments],
    )


def announce_membership(membership: Membership, out: Outputs) -> None:
    membership.version += 1
    out.emit(
        MembershipChanged,
        membership_id=membership.membership_id,
        membership_name=membership.membership_name,
        version=membership.version,
        period=membership.period,
        credits_per_period=membership.credits_per_period,
        starts_on=membership.starts_on,
        ends_on=membership.ends_on,
    )


def announce_source_of(state: CreditsState, claim: Claim, out: Outputs) -> None:
    if claim.source.kind == "package":
        announce_package(state.package(claim.source.id), state.claims, out)
    else:
        announce_period(state.membership(claim.source.id), claim.period_key, state.claims, out)


def announce_entries(entries: list[Entry], out: Outputs) -> None:
    for entry in entries:
        out.emit(
            AccountEntryRecorded,
            occurred_at=entry.at,
            entry_id=entry.entry_id,
            sequence=entry.sequence,
            entry_type=entry.entry_type,
            amount_minor=entry.amount_minor,
            balance_after_minor=entry.balance_after_minor,
            credit_balance_minor=entry.credit_balance_minor,
            currency=entry.currency,
            note=entry.note,
            actor=entry.actor,
            at=entry.at,
        )
