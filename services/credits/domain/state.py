"""Everything the credits service owns for one client at one location, and its stored form.

The stored form is JSON-shaped so FerretDB keeps it exactly: lists of sub-documents (no ids as
keys, no arrays in arrays), days as "YYYY-MM-DD", instants as RFC 3339 strings (BSON dates would
drop microseconds and the offset).
"""

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from services.credits.domain.claims import Claim, ClaimKind
from services.credits.domain.ledger import Account
from services.credits.domain.memberships import Membership
from services.credits.domain.packages import Package


@dataclass
class CommandRecord:
    command_id: str
    fingerprint: str


@dataclass
class CreditsState:
    location_id: str
    client_id: str
    packages: list[Package] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    account: Account = field(default_factory=Account)
    commands: list[CommandRecord] = field(default_factory=list)

    @property
    def scope(self) -> str:
        return f"{self.location_id}/{self.client_id}"

    def package(self, package_id: str) -> Package | None:
        return next((p for p in self.packages if p.package_id == package_id), None)

    def membership(self, membership_id: str) -> Membership | None:
        return next((m for m in self.memberships if m.membership_id == membership_id), None)

    def claim(self, kind: ClaimKind, claim_id: str) -> Claim | None:
        return next((c for c in self.claims if c.kind == kind and c.claim_id == claim_id), None)

    def command(self, command_id: str) -> CommandRecord | None:
        return next((c for c in self.commands if c.command_id == command_id), None)


_DOCUMENT = TypeAdapter(CreditsState)


def dump(state: CreditsState) -> dict[str, Any]:
    return _DOCUMENT.dump_python(state, mode="json")


def load(document: dict[str, Any]) -> CreditsState:
    """Fields the store adds (`_id`, version, outbox...) are ignored."""
    return _DOCUMENT.validate_python(document)
