"""Every report page, in every sort, has a MongoDB index that yields it in order."""

import pytest

from services.reports.domain.indexes import REPORTS, collection_indexes, index_keys, report_orders
from services.reports.domain.ordering import parse_sort
from services.reports.domain.reports import ACCOUNT_BALANCES, CLIENTS_WITH_CREDIT, SESSION_CREDITS


def _serves(index: tuple, order, one_location: bool) -> bool:
    """The index, read forwards or backwards, gives `order` (less a fixed location) as its keys."""
    wanted = [key for key in order.keys if not (one_location and key[0] == "location_id")]
    keys = list(index[1:] if one_location else index)
    if one_location and index[0] != ("location_id", 1):
        return False
    return keys[:len(wanted)] in (wanted, [(n, -d) for n, d in wanted])


@pytest.mark.parametrize("collection", list(REPORTS))
@pytest.mark.parametrize("one_location", [True, False])
def test_each_sort_of_each_report_has_its_index(collection, one_location):
    indexes = collection_indexes(collection)

    for spec in REPORTS[collection]:
        for order in report_orders(spec):
            assert any(_serves(index, order, one_location) for index in indexes), (spec.name, order.text)


def test_a_descending_sort_with_ascending_ties_has_its_own_index():
    order = parse_sort("-balance_minor", ACCOUNT_BALANCES)

    assert index_keys(order, True) == (("location_id", 1), ("balance_minor", -1), ("client_id", 1))
    assert index_keys(order, False) == (("balance_minor", 1), ("client_id", -1), ("location_id", -1))


def test_the_status_sort_reads_each_status_in_tie_break_order():
    assert parse_sort("client_id", SESSION_CREDITS).keys in [o.keys for o in report_orders(SESSION_CREDITS)
                                                             if o.text.endswith("status")]


def test_a_collection_stays_within_mongodbs_64_indexes_with_room_for_new_columns():
    assert len(collection_indexes("accounts")) == len(set(collection_indexes("accounts"))) <= 50
    assert len(collection_indexes("packages")) <= 50
    assert all(len(dict(keys)) == len(keys) for keys in collection_indexes("accounts"))  # a field once
    assert CLIENTS_WITH_CREDIT in REPORTS["accounts"]
