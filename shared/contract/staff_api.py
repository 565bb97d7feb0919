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
    """Credits (`action` with `credits`) and/or validity; `expires_on: null` = never expires."""

    action: Literal["add", "deduct"] | None = None
    credits: int | None = Field(default=None, ge=1, le=100_000)
    starts_on: date | None = None
    expires_on: date | None = Field(default=None, description="Given as null: the package never expires")
    note: Note | None = None

    @model_validator(mode="after")
    def _one_change(self) -> "PackageAdjustment":
        if (self.action is None) != (self.credits is None):
            missing = "credits" if self.credits is None else "action"
            raise field_error(missing, "is required with " + ("action" if missing == "credits" else "credits"))
        if self.action is None and not {"starts_on", "expires_on"} & self.model_fields_set:
            raise field_error("credits", "give credits with an action, starts_on or expires_on: at least one change")
        if "starts_on" in self.model_fields_set and self.starts_on is None:
            raise field_error("starts_on", "must be a date (only expires_on may be null: never expires)")
        if self.starts_on and self.expires_on and self.expires_on < self.starts_on:
            raise field_error("expires_on", "must not be before starts_on")
        return self

    def validity(self) -> dict:
        """Only the validity fields the request gave (`expires_on: None` = never)."""
        return {name: getattr(self, name) for name in ("starts_on", "expires_on") if name in self.model_fields_set}


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
