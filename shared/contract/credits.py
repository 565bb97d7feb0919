"""`studio.credits.v1`: every effect the credits service decided.

Snapshots (`package.changed`, `membership.period_changed`) carry a per-entity `version` that grows
by one with every change, so a consumer keeps the highest version it saw and a redelivery, a
replay or an out-of-order arrival never moves a read model backwards. Ledger entries carry the
account's `sequence` for the same reason.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contract.bookings import CreditSource
from shared.contract.envelope import Event
from shared.contract.types import SAFE_INTEGER, Currency, Identifier, Instant, Note, SafeInt, ShortText

RejectionReason = Literal[
    "no_credits", "source_not_found", "source_expired", "source_not_started", "source_exhausted"
]


class CreditReserved(Event):
    """A booking holds one credit from `source`."""

    type: Literal["credit.reserved"] = "credit.reserved"
    booking_id: Identifier
    source: CreditSource
    session_starts_at: Instant


class CreditRejected(Event):
    """A booking or check-in could not get a credit."""

    type: Literal["credit.rejected"] = "credit.rejected"
    booking_id: Identifier | None = None
    checkin_id: Identifier | None = None
    reason: RejectionReason
    detail: str


class CreditReleased(Event):
    """A cancellation in time gave the credit back."""

    type: Literal["credit.released"] = "credit.released"
    booking_id: Identifier
    source: CreditSource


class CreditConsumed(Event):
    """The credit is used: late cancel, attended, no-show or a general check-in."""

    type: Literal["credit.consumed"] = "credit.consumed"
    booking_id: Identifier | None = None
    checkin_id: Identifier | None = None
    source: CreditSource
    cause: Literal["late_cancel", "attended", "no_show", "checkin"]


class Hold(BaseModel):
    """A booked credit; it counts as used once its session has started (judged at read time)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    booking_id: Identifier
    session_starts_at: Instant


class StaffAdjustment(BaseModel):
    """One staff change to a package or a membership period, with who made it and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    adjustment_id: str = Field(max_length=64, description="The command's id: the same change is listed once")
    at: Instant
    action: Literal["add", "deduct"] | None = Field(description="None: the credits were not changed")
    credits: SafeInt | None
    starts_on: date | None = Field(description="The validity after this change (None if not recorded)")
    expires_on: date | None = Field(description="The validity after this change (None: never, or not recorded)")
    note: Note | None
    actor: str | None = Field(max_length=200, description="The staff id (the token's `sub`)")
    changed: list[Literal["credits", "starts_on", "expires_on"]] = Field(
        default_factory=list, description="What this adjustment changed")


class PackageChanged(Event):
    """The whole state of one package after a change (purchase, booking, adjustment...)."""

    type: Literal["package.changed"] = "package.changed"
    package_id: Identifier
    package_name: ShortText
    version: int = Field(ge=1, le=SAFE_INTEGER)
    credits_purchased: SafeInt
    credits_adjusted: SafeInt = Field(description="Net staff adjustments")
    total: SafeInt
    consumed: SafeInt = Field(description="Attended, no-show, late-cancelled, check-ins")
    holds: list[Hold] = Field(description="Booked credits not consumed yet")
    starts_on: date
    expires_on: date | None
    adjustments: list[StaffAdjustment] = Field(default_factory=list, description="Staff changes, oldest first")


class MembershipPeriodChanged(Event):
    """One membership period's usage after a change; `max` null = unlimited."""

    type: Literal["membership.period_changed"] = "membership.period_changed"
    membership_id: Identifier
    membership_name: ShortText
    period_key: date = Field(description="The period's natural start; stable when staff move its validity")
    version: int = Field(ge=1, le=SAFE_INTEGER)
    starts_on: date
    ends_on: date
    used: SafeInt
    max: SafeInt | None
    adjustments: list[StaffAdjustment] = Field(default_factory=list, description="Staff changes, oldest first")


class MembershipChanged(Event):
    """A membership started or ended."""

    type: Literal["membership.changed"] = "membership.changed"
    membership_id: Identifier
    membership_name: ShortText
    version: int = Field(ge=1, le=SAFE_INTEGER)
    period: Literal["week", "month"]
    credits_per_period: SafeInt | None
    starts_on: date
    ends_on: date | None


EntryType = Literal["Payment", "Charge", "Refund", "Credit", "Manual Adjustment", "Credit Expired"]


class AccountEntryRecorded(Event):
    """One line of a client's money ledger at a location."""

    type: Literal["account.entry_recorded"] = "account.entry_recorded"
    entry_id: Identifier
    sequence: int = Field(ge=1, le=SAFE_INTEGER, description="Position in this account's ledger")
    entry_type: EntryType
    amount_minor: SafeInt
    balance_after_minor: SafeInt
    credit_balance_minor: SafeInt = Field(description="Unexpired credit left after this entry (≥ 0)")
    currency: Currency
    note: Note | None = None
    actor: str | None = Field(default=None, description="Staff id for staff changes")
    at: Instant


CreditsEvent = Annotated[
    CreditReserved
    | CreditRejected
    | CreditReleased
    | CreditConsumed
    | PackageChanged
    | MembershipPeriodChanged
    | MembershipChanged
    | AccountEntryRecorded,
    Field(discriminator="type"),
]
