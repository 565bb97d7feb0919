"""`studio.clients.v1`: client facts published by the platform's client service."""

from datetime import date
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints

from shared.contract.envelope import Event

Name = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
Phone = Annotated[str, StringConstraints(min_length=3, max_length=32, pattern=r"^[0-9+()./ -]+$")]


class ClientRegistered(Event):
    type: Literal["client.registered"] = "client.registered"
    first_name: Name
    last_name: Name
    email: EmailStr | None = None
    phone: Phone | None = None
    join_date: date
    email_opt_out: bool = False


class ClientUpdated(Event):
    """Carries only the fields that changed; absent fields keep their value."""

    type: Literal["client.updated"] = "client.updated"
    first_name: Name | None = None
    last_name: Name | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    join_date: date | None = None
    email_opt_out: bool | None = None


ClientEvent = Annotated[ClientRegistered | ClientUpdated, Field(discriminator="type")]
