"""A batch of events folded into the writes it comes to: one per read-model row.

Records are consumed in batches so that a batch costs one write per row it changes, not several
round trips per event. Folding is pure: a row keeps the newest version the batch holds (versions
and ledger sequences are the credits service's, so the order events arrive in does not matter);
a client's profile is folded field by field, each field keeping the latest event that set it
(`shared.profiles`), so neither the order nor a redelivery matters there either.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from services.reports.domain.accounts import account_fields, entry_document
from services.reports.domain.credits import membership_row, package_row, period_row
from shared import profiles
from shared.contract.clients import ClientRegistered, ClientUpdated
from shared.contract.credits import AccountEntryRecorded, MembershipChanged, MembershipPeriodChanged, PackageChanged
from shared.contract.locations import LocationRegistered, LocationUpdated

Owner = tuple[str, str]  # location_id, client_id

# read-model collections whose rows are kept at the newest version
VERSIONED = ("packages", "membership_periods", "memberships", "accounts")
# rows that carry a copy of the client's profile (name, email, phone, join date) to filter and sort on
PROFILED = ("packages", "accounts")


def row_key(*parts: str) -> str:
    return "|".join(parts)


@dataclass(frozen=True)
class Row:
    owner: Owner
    version: int
    fields: dict


@dataclass
class Fold:
    profiles: dict[Owner, dict] = field(default_factory=dict)  # per client, its events' profile fold
    rows: dict[str, dict[str, Row]] = field(default_factory=lambda: {base: {} for base in VERSIONED})
    entries: dict[str, dict] = field(default_factory=dict)  # ledger entries, immutable
    locations: dict[str, list] = field(default_factory=dict)  # location events per location, in order
    as_of: datetime | None = None  # the newest `occurred_at` in the batch
    events: int = 0

    def keep(self, base: str, key: str, row: Row) -> None:
        held = self.rows[base].get(key)
        if held is None or row.version > held.version:
            self.rows[base][key] = row

    def written_locations(self) -> set[str]:
        """Every location the batch writes a profile, row or entry of."""
        rows = {row.owner[0] for base in VERSIONED for row in self.rows[base].values()}
        return {owner[0] for owner in self.profiles} | rows | {e["location_id"] for e in self.entries.values()}


def fold(events: Iterable) -> Fold:
    folded = Fold()
    for event in events:
        folded.events += 1
        folded.as_of = event.occurred_at if folded.as_of is None else max(folded.as_of, event.occurred_at)
        if isinstance(event, LocationRegistered | LocationUpdated):
            folded.locations.setdefault(event.location_id, []).append(event)
            continue
        owner = (event.location_id, event.client_id)
        if isinstance(event, ClientRegistered | ClientUpdated):
            folded.profiles[owner] = profiles.folded(folded.profiles.get(owner), event)
        elif isinstance(event, PackageChanged):
            folded.keep("packages", row_key(*owner, event.package_id), Row(owner, event.version, package_row(event)))
        elif isinstance(event, MembershipPeriodChanged):
            key = row_key(*owner, event.membership_id, event.period_key.isoformat())
            folded.keep("membership_periods", key, Row(owner, event.version, period_row(event)))
        elif isinstance(event, MembershipChanged):
            folded.keep("memberships", row_key(*owner, event.membership_id),
                        Row(owner, event.version, membership_row(event)))
        elif isinstance(event, AccountEntryRecorded):
            folded.entries[row_key(*owner, str(event.sequence))] = entry_document(event)
            folded.keep("accounts", row_key(*owner), Row(owner, event.sequence, account_fields(event)))
    return folded
