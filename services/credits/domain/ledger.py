"""A client's money account at a location: ledger entries and the credit lots behind the balance.

balance = sum of entries. While something is owed no lot holds money; a positive entry first pays
off what is owed and the rest forms a lot; a negative entry draws from the earliest-expiring lot
first (never-expiring last, ties by age) and beyond the lots the balance goes negative.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from shared.contract.credits import EntryType
from shared.fingerprints import stable_id
from services.credits.domain.errors import CurrencyMismatch
from services.credits.domain.instants import end_of_day


@dataclass
class Entry:
    entry_id: str
    sequence: int
    entry_type: EntryType
    amount_minor: int
    balance_after_minor: int
    credit_balance_minor: int
    currency: str
    note: str | None
    actor: str | None
    at: datetime
    transaction_id: str | None = None
    fingerprint: str | None = None


@dataclass
class Lot:
    lot_id: str
    sequence: int
    remaining_minor: int
    expires_on: date | None
    created_at: datetime

    def expires_at(self, zone: tzinfo) -> datetime | None:
        """The end of its last local day: derived from the zone in force, never stored."""
        return end_of_day(self.expires_on, zone) if self.expires_on else None

    def draw_order(self) -> tuple:
        return (self.expires_on is None, self.expires_on or date.max, self.sequence)


@dataclass
class Account:
    currency: str | None = None
    entries: list[Entry] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)

    @property
    def balance_minor(self) -> int:
        return self.entries[-1].balance_after_minor if self.entries else 0

    @property
    def credit_minor(self) -> int:
        return sum(lot.remaining_minor for lot in self.lots)

    def transaction_entry(self, transaction_id: str) -> Entry | None:
        return next((e for e in self.entries if e.transaction_id == transaction_id), None)

    def check_currency(self, currency: str) -> None:
        if self.currency is not None and currency != self.currency:
            raise CurrencyMismatch(self.currency, currency)

    def next_expiry(self, zone: tzinfo) -> datetime | None:
        return min((lot.expires_at(zone) for lot in self.lots if lot.expires_on), default=None)

    def next_expiry_day(self) -> date | None:
        """The earliest last day of a lot: the same in every zone."""
        return min((lot.expires_on for lot in self.lots if lot.expires_on), default=None)


@dataclass(frozen=True)
class Posting:
    entry_type: EntryType
    amount_minor: int
    currency: str
    at: datetime
    note: str | None = None
    actor: str | None = None
    expires_on: date | None = None
    transaction_id: str | None = None
    fingerprint: str | None = None


def post(account: Account, posting: Posting, scope: str) -> Entry:
    sequence = len(account.entries) + 1
    entry_id = stable_id("le", scope, sequence)
    if posting.amount_minor > 0:
        _add_lot(account, posting, sequence, entry_id)
    else:
        _draw(account, -posting.amount_minor)
    return _append(account, posting, sequence, entry_id)


def expire_due(account: Account, until: datetime, scope: str, zone: tzinfo) -> list[Entry]:
    """Expire every lot whose last local day ended by `until`; what is left of it leaves the balance."""
    due = sorted((lot for lot in account.lots if lot.expires_on and lot.expires_at(zone) <= until),
                 key=Lot.draw_order)
    return [_expire(account, lot, scope, zone) for lot in due]


def _add_lot(account: Account, posting: Posting, sequence: int, lot_id: str) -> None:
    owed = max(0, -account.balance_minor)
    rest = posting.amount_minor - min(posting.amount_minor, owed)
    if rest > 0:
        account.lots.append(Lot(lot_id, sequence, rest, posting.expires_on, posting.at))


def _draw(account: Account, amount: int) -> None:
    for lot in sorted(account.lots, key=Lot.draw_order):
        taken = min(lot.remaining_minor, amount)
        lot.remaining_minor -= taken
        amount -= taken
    account.lots = [lot for lot in account.lots if lot.remaining_minor > 0]


def _expire(account: Account, lot: Lot, scope: str, zone: tzinfo) -> Entry:
    account.lots.remove(lot)
    posting = Posting(
        entry_type="Credit Expired",
        amount_minor=-lot.remaining_minor,
        currency=account.currency,
        # Dated when it really expired (not when a sweeper noticed), so a retry repeats it exactly.
        at=max(lot.expires_at(zone), lot.created_at),
        note=f"credit valid until {lot.expires_on} expired",
    )
    sequence = len(account.entries) + 1
    return _append(account, posting, sequence, stable_id("le", scope, sequence))


def _append(account: Account, posting: Posting, sequence: int, entry_id: str) -> Entry:
    entry = Entry(
        entry_id=entry_id,
        sequence=sequence,
        entry_type=posting.entry_type,
        amount_minor=posting.amount_minor,
        balance_after_minor=account.balance_minor + posting.amount_minor,
        credit_balance_minor=account.credit_minor,
        currency=posting.currency,
        note=posting.note,
        actor=posting.actor,
        at=posting.at,
        transaction_id=posting.transaction_id,
        fingerprint=posting.fingerprint,
    )
    account.entries.append(entry)
    account.currency = posting.currency
    return entry
