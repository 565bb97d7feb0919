"""A batch folds into one write per row: the newest version of each, profiles merged in order."""

from datetime import UTC, date, datetime, timedelta

from services.reports.domain.folding import fold
from shared.contract.clients import ClientRegistered, ClientUpdated
from shared.contract.credits import AccountEntryRecorded, PackageChanged

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def package(client: str, version: int) -> PackageChanged:
    return PackageChanged(event_id=f"e-{client}-{version}", occurred_at=T0 + timedelta(minutes=version),
                          location_id="l-1", client_id=client, package_id="p-1", package_name="10 classes",
                          version=version, credits_purchased=10, credits_adjusted=0, total=10, consumed=version,
                          holds=[], starts_on=date(2026, 1, 1), expires_on=None)


def entry(sequence: int, balance: int) -> AccountEntryRecorded:
    return AccountEntryRecorded(event_id=f"e-{sequence}", occurred_at=T0, location_id="l-1", client_id="c-1",
                                entry_id=f"le-{sequence}", sequence=sequence, entry_type="Payment", amount_minor=1,
                                balance_after_minor=balance, credit_balance_minor=0, currency="USD", at=T0)


def test_each_row_keeps_the_newest_version_in_the_batch_whatever_the_order():
    folded = fold([package("c-1", 2), package("c-1", 4), package("c-1", 3), package("c-2", 1)])

    assert {key: row.version for key, row in folded.rows["packages"].items()} == {"l-1|c-1|p-1": 4, "l-1|c-2|p-1": 1}
    assert folded.rows["packages"]["l-1|c-1|p-1"].fields["consumed"] == 4
    assert folded.as_of == T0 + timedelta(minutes=4) and folded.events == 4


def test_every_ledger_entry_is_kept_and_the_account_moves_to_the_highest_sequence():
    folded = fold([entry(2, 300), entry(1, 100), entry(2, 300)])

    assert sorted(folded.entries) == ["l-1|c-1|1", "l-1|c-1|2"]
    assert folded.rows["accounts"]["l-1|c-1"].fields["balance_minor"] == 300


def test_an_update_that_overtakes_its_registration_is_not_undone_by_it():
    registered = ClientRegistered(event_id="e-r", occurred_at=T0, location_id="l-1", client_id="c-1",
                                  first_name="Ada", last_name="Lovelace", email="ada@example.com",
                                  join_date=date(2026, 1, 15))
    renamed = ClientUpdated(event_id="e-u", occurred_at=T0 + timedelta(seconds=1), location_id="l-1",
                            client_id="c-1", last_name="Byron")

    changes = fold([renamed, registered]).profiles[("l-1", "c-1")]

    assert (changes["first_name"], changes["last_name"], changes["email"]) == ("Ada", "Byron", "ada@example.com")


def test_a_batch_names_every_location_it_writes_to():
    at = datetime(2026, 3, 1, tzinfo=UTC)
    events = [ClientRegistered(event_id="e-1", occurred_at=at, location_id="l-1", client_id="c-1", first_name="Ada",
                               last_name="L", join_date=date(2026, 1, 1)),
              AccountEntryRecorded(event_id="e-2", occurred_at=at, location_id="l-2", client_id="c-1", entry_id="x",
                                   sequence=1, entry_type="Payment", amount_minor=1, balance_after_minor=1,
                                   credit_balance_minor=0, currency="USD", at=at)]

    assert fold(events).written_locations() == {"l-1", "l-2"}
