"""Request bodies of the staff HTTP APIs (../shared/CONTRACT.md, "Staff HTTP APIs")."""

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from shared.contract.bookings import CreditSource
from shared.contract.types import Currency, Identifier, Instant, MinorUnits, Note, ShortText, StorableText

RequiredNote = Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]


class _Body(StorableText):
    model_config = ConfigDict(extra="forbid")


class PackageAdjustment(_Body):
    action: Literal["add", "deduct"]
    credits: int = Field(ge=1, le=100_000)
    note: Note | None = None


class PeriodAdjustment(_Body):
    action: Literal["add", "deduct"]
    credits: int = Field(ge=0, le=100_000, description="0 to only move the period's validity")
    valid_from: date | None = None
    valid_to: date | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "PeriodAdjustment":
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class AccountAdjustment(_Body):
    amount_minor: MinorUnits = Field(description="Signed, in minor units; never 0")
    currency: Currency
    note: RequiredNote

    @model_validator(mode="after")
    def _not_zero(self) -> "AccountAdjustment":
        if self.amount_minor == 0:
            raise ValueError("amount_minor must not be 0")
        return self


class BookingRequest(_Body):
    client_id: Identifier
    session_id: Identifier
    session_name: ShortText
    session_starts_at: Instant
    credit_source: CreditSource | None = None


class CancelRequest(_Body):
    late: bool
