"""`studio.sales.v1`: what the platform's point of sale sold or charged."""

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from shared.contract.envelope import Event
from shared.contract.types import Currency, Identifier, MinorUnits, Note, ShortText


class PackagePurchased(Event):
    type: Literal["package.purchased"] = "package.purchased"
    package_id: Identifier
    package_name: ShortText
    credits: int = Field(ge=1, le=100_000, description="Session credits in the pack")
    starts_on: date
    expires_on: date | None = Field(description="Last valid day; null = never expires")

    @model_validator(mode="after")
    def _expiry_after_start(self) -> "PackagePurchased":
        if self.expires_on is not None and self.expires_on < self.starts_on:
            raise ValueError("expires_on is before starts_on")
        return self


class MembershipStarted(Event):
    type: Literal["membership.started"] = "membership.started"
    membership_id: Identifier
    membership_name: ShortText
    period: Literal["week", "month"]
    credits_per_period: int | None = Field(ge=0, le=100_000, description="null = unlimited")
    starts_on: date
    ends_on: date | None = Field(default=None, description="Last day; null = open-ended")

    @model_validator(mode="after")
    def _end_after_start(self) -> "MembershipStarted":
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class MembershipEnded(Event):
    type: Literal["membership.ended"] = "membership.ended"
    membership_id: Identifier
    ends_on: date


TransactionKind = Literal["charge", "payment", "refund", "credit"]


class AccountTransaction(Event):
    type: Literal["account.transaction"] = "account.transaction"
    transaction_id: Identifier
    kind: TransactionKind
    amount_minor: MinorUnits = Field(description="Signed effect on the balance, in minor units")
    currency: Currency
    note: Note | None = None
    credit_expires_on: date | None = Field(default=None, description="Kind `credit` only")

    @model_validator(mode="after")
    def _expiry_only_on_credit(self) -> "AccountTransaction":
        if self.credit_expires_on is not None and self.kind != "credit":
            raise ValueError("credit_expires_on is only allowed on kind 'credit'")
        return self


SalesEvent = Annotated[
    PackagePurchased | MembershipStarted | MembershipEnded | AccountTransaction,
    Field(discriminator="type"),
]
