"""How the point of sale's facts change a client's credits: packages, memberships, money."""

from datetime import date, datetime

from shared.contract.sales import AccountTransaction, MembershipEnded, MembershipStarted, PackagePurchased
from services.credits.domain import ledger
from services.credits.domain.announcements import (
    announce_entries,
    announce_membership,
    announce_package,
    announce_period,
)
from shared.fingerprints import fingerprint, is_repeat
from services.credits.domain.errors import MembershipEndsBeforeStart, UnknownMembership
from services.credits.domain.instants import Moment, as_utc
from services.credits.domain.memberships import Membership
from services.credits.domain.outputs import Outputs
from services.credits.domain.packages import Package
from services.credits.domain.state import CreditsState

ENTRY_TYPES = {"payment": "Payment", "charge": "Charge", "refund": "Refund", "credit": "Credit"}


def purchase_package(state: CreditsState, event: PackagePurchased, at: Moment, out: Outputs) -> None:
    content = fingerprint(
        package_name=event.package_name, credits=event.credits, starts_on=event.starts_on, expires_on=event.expires_on
    )
    existing = state.package(event.package_id)
    if existing and is_repeat(existing.fingerprint, content, "package", event.package_id):
        return
    package = Package(event.package_id, event.package_name, event.credits, event.starts_on, event.expires_on, content)
    state.packages.append(package)
    announce_package(package, state.claims, out)


def start_membership(state: CreditsState, event: MembershipStarted, at: Moment, out: Outputs) -> None:
    content = fingerprint(
        membership_name=event.membership_name,
        period=event.period,
        credits_per_period=event.credits_per_period,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
    )
    existing = state.membership(event.membership_id)
    if existing and is_repeat(existing.fingerprint, content, "membership", event.membership_id):
        return
    membership = Membership(event.membership_id, event.membership_name, event.period,
                            event.credits_per_period, event.starts_on, event.ends_on, content)
    state.memberships.append(membership)
    announce_membership(membership, out)


def end_membership(state: CreditsState, event: MembershipEnded, at: Moment, out: Outputs) -> None:
    membership = state.membership(event.membership_id)
    if membership is None:
        raise UnknownMembership(event.membership_id)
    if event.event_id in membership.end_event_ids or membership.ends_on == event.ends_on:
        return
    if event.ends_on < membership.starts_on:
        raise MembershipEndsBeforeStart(membership.membership_id, membership.starts_on, event.ends_on)
    windows_before = _windows(membership)
    membership.ends_on = event.ends_on
    membership.end_event_ids.append(event.event_id)
    announce_membership(membership, out)
    for key, window in _windows(membership).items():
        if windows_before.get(key) != window:
            announce_period(membership, key, state.claims, out)


def record_transaction(state: CreditsState, event: AccountTransaction, at: Moment, out: Outputs) -> None:
    account = state.account
    content = fingerprint(
        kind=event.kind, amount_minor=event.amount_minor, currency=event.currency,
        note=event.note, credit_expires_on=event.credit_expires_on,
    )
    prior = account.transaction_entry(event.transaction_id)
    if prior and is_repeat(prior.fingerprint, content, "transaction", event.transaction_id):
        return
    account.check_currency(event.currency)
    happened = as_utc(event.occurred_at)
    # Credit that expired before this transaction happened cannot pay for it.
    announce_entries(ledger.expire_due(account, happened, state.scope, at.zone), out)
    announce_entries([ledger.post(account, _posting(event, happened, content), state.scope)], out)
    announce_entries(ledger.expire_due(account, at.now, state.scope, at.zone), out)


def _posting(event: AccountTransaction, at: datetime, content: str) -> ledger.Posting:
    return ledger.Posting(
        ENTRY_TYPES[event.kind], event.amount_minor, event.currency, at, note=event.note,
        expires_on=event.credit_expires_on, transaction_id=event.transaction_id, fingerprint=content,
    )


def _windows(membership: Membership) -> dict[date, tuple[date, date]]:
    """The validity of every period that has a record and still exists."""
    keys = [r.period_key for r in membership.periods if membership.has_period(r.period_key)]
    return {key: membership.window(key) for key in keys}
