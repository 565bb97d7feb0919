"""`studio.clients.v1`: client facts published by the platform's client service."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from shared.contract.envelope import Event

Name = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
ContactDetail = Annotated[
    str,
    StringConstraints(max_length=320),
    Field(description="Kept exactly as the front desk typed it (at most 320 characters, no U+0000): "
                      "whether an address can receive mail is judged when a message is sent"),
]

CLEARABLE = ("email", "phone")
"""Fields that `null` clears in an update; `null` for any other field leaves it unchanged."""

PROFILE_FIELDS = ("first_name", "last_name", "email", "phone", "join_date", "email_opt_out")


class ClientRegistered(Event):
    type: Literal["client.registered"] = "client.registered"
    first_name: Name
    last_name: Name
    email: ContactDetail | None = None
    phone: ContactDetail | None = None
    join_date: date
    email_opt_out: bool = False

    def profile_changes(self) -> dict[str, Any]:
        """Every profile field: a registration sets them all."""
        return {f: getattr(self, f) for f in PROFILE_FIELDS}


class ClientUpdated(Event):
    """Carries only the fields that changed. Absent: unchanged. `null`: clears `email` or `phone`,
    and leaves unchanged a field that cannot be empty (names, `join_date`, `email_opt_out`)."""

    type: Literal["client.updated"] = "client.updated"
    first_name: Name | None = None
    last_name: Name | None = None
    email: ContactDetail | None = None
    phone: ContactDetail | None = None
    join_date: date | None = None
    email_opt_out: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _null_keeps_what_cannot_be_empty(cls, data: object) -> object:
        """A `null` that cannot clear is taken as absent, so `model_fields_set` holds only changes."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k in CLEARABLE or k not in PROFILE_FIELDS}
        return data

    def profile_changes(self) -> dict[str, Any]:
        """The profile fields this update changes, `None` meaning cleared (email, phone only)."""
        return {f: getattr(self, f) for f in PROFILE_FIELDS
                if f in self.model_fields_set and (getattr(self, f) is not None or f in CLEARABLE)}


ClientEvent = Annotated[ClientRegistered | ClientUpdated, Field(discriminator="type")]
