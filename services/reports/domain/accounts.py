"""Account rows and ledger entries built from `account.entry_recorded`."""

from services.reports.domain.errors import InvalidParameter
from services.reports.domain.ordering import DESCENDING, Order, decode_cursor, encode_cursor
from shared.contract.credits import AccountEntryRecorded

HISTORY_FIELDS = ("at", "amount_minor", "balance_after_minor", "currency", "type", "note", "actor")


def account_fields(event: AccountEntryRecorded) -> dict:
    """The account row as of this entry; stored only if its sequence is the newest seen."""
    return {
        "location_id": event.location_id,
        "client_id": event.client_id,
        "balance_minor": event.balance_after_minor,
        "account_credit_balance_minor": event.credit_balance_minor,
        "currency": event.currency,
        "last_activity_at": event.at,
    }


def entry_document(event: AccountEntryRecorded) -> dict:
    return {
        "location_id": event.location_id,
        "client_id": event.client_id,
        "sequence": event.sequence,
        "entry_id": event.entry_id,
        "type": event.entry_type,
        "amount_minor": event.amount_minor,
        "balance_after_minor": event.balance_after_minor,
        "currency": event.currency,
        "note": event.note,
        "actor": event.actor,
        "at": event.at,
    }


def history_item(entry: dict) -> dict:
    return {f: entry.get(f) for f in HISTORY_FIELDS}


HISTORY_ORDER = Order("-sequence", (("sequence", DESCENDING),))


def history_cursor(entry: dict) -> str:
    return encode_cursor(HISTORY_ORDER, entry)


def sequence_after(cursor: str) -> int:
    """The sequence a history page continues below; 422 naming `cursor` if it is not one."""
    (sequence,) = decode_cursor(cursor, HISTORY_ORDER)
    if not isinstance(sequence, int):
        raise InvalidParameter("cursor", "malformed; pass next_cursor back unchanged")
    return sequence
