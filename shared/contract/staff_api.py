"""Request bodies of the staff HTTP APIs (../shared/CONTRACT.md, "Staff HTTP APIs")."""

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from shared.contract.bookings import CreditSource
from shared.contract.types import Currency, Identifier, Instant, MinorUnits, Note, ShortText, StorableText

RequiredNote = Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]


class _Body(StorableText):
    model_config = ConfigDict(extra="forbid")


def field_error(field: str, msg: str) -> PydanticCustomError:
    """A check across fields that is still about one of them: the 422 names `field` (its `ctx`)."""
    return PydanticCustomError("invalid_field", msg.replace("{", "{{").replace("}", "}}"), {"field": field})


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
    def _a_sensible_change(self) -> "PeriodAdjustment":
        if self.credits == 0 and self.valid_from is None and self.valid_to is None:
            raise field_error("credits", "must be at least 1 unless valid_from or valid_to moves the period")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise field_error("valid_to", "must not be before valid_from")
        return self


class AccountAdjustment(_Body):
    amount_minor: MinorUnits = Field(description="Signed, in minor units; never 0")
    currency: Currency
    note: RequiredNote

    @model_validator(mode="after")
    def _not_zero(self) -> "AccountAdjustment":
        if self.amount_minor == 0:
            raise field_error("amount_minor", "must not be 0")
        return self


class BookingRequest(_Body):
    client_id: Identifier
    session_id: Identifier
    session_name: ShortText
    session_starts_at: Instant
    credit_source: CreditSource | None = None


class CancelRequest(_Body):
    late: bool
