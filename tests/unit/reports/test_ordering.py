from datetime import UTC, datetime

import pytest

from services.reports.domain.errors import InvalidParameter
from services.reports.domain.ordering import decode_cursor, encode_cursor, parse_sort, segments_after
from services.reports.domain.reports import ACCOUNT_BALANCES, CLIENTS_WITH_CREDIT, SESSION_CREDITS


def test_the_default_sort_is_the_reports_own_with_client_then_location_as_tie_breaks():
    order = parse_sort(None, CLIENTS_WITH_CREDIT)

    assert order.keys == (("account_credit_balance_minor", -1), ("client_id", 1), ("location_id", 1))


def test_a_minus_prefix_sorts_descending_and_the_field_is_not_repeated_as_a_tie_break():
    assert parse_sort("-client_id", SESSION_CREDITS).keys == (("client_id", -1), ("location_id", 1), ("package_id", 1))


@pytest.mark.parametrize("sort", ["nope", "-", "", "search", "sort_full_name", "-version"])
def test_an_unknown_field_is_refused_naming_sort(sort):
    with pytest.raises(InvalidParameter) as refused:
        parse_sort(sort or "-", SESSION_CREDITS)

    assert refused.value.field == "sort"


def test_a_cursor_round_trips_the_last_rows_sort_key_including_instants_and_nulls():
    order = parse_sort("-last_activity_at", ACCOUNT_BALANCES)
    row = {"last_activity_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "client_id": "c-1", "location_id": "l-1"}

    assert decode_cursor(encode_cursor(order, row), order) == [row["last_activity_at"], "c-1", "l-1"]
    assert decode_cursor(encode_cursor(order, {**row, "last_activity_at": None}), order)[0] is None


@pytest.mark.parametrize("token", ["not base64!", "bm90IGpzb24", "W10", "eyJzb3J0IjoiY2xpZW50X2lkIn0", "e30"])
def test_a_malformed_cursor_is_refused_naming_cursor(token):
    with pytest.raises(InvalidParameter) as refused:
        decode_cursor(token, parse_sort("client_id", ACCOUNT_BALANCES))

    assert refused.value.field == "cursor"


def test_a_cursor_made_for_another_sort_is_refused():
    cursor = encode_cursor(parse_sort("client_id", ACCOUNT_BALANCES), {"client_id": "c", "location_id": "l"})

    with pytest.raises(InvalidParameter, match="another sort"):
        decode_cursor(cursor, parse_sort("-balance_minor", ACCOUNT_BALANCES))


@pytest.mark.parametrize("name", ["full_name", "first_name", "last_name", "email"])
def test_names_and_emails_sort_by_their_case_folded_copy(name):
    assert parse_sort(f"-{name}", CLIENTS_WITH_CREDIT).keys[0] == (f"sort_{name}", -1)


def test_package_names_sort_case_insensitively_too():
    assert parse_sort("package_name", SESSION_CREDITS).keys[0] == ("sort_package_name", 1)


def test_every_column_a_list_shows_is_sortable_including_the_computed_status():
    for spec in (CLIENTS_WITH_CREDIT, SESSION_CREDITS, ACCOUNT_BALANCES):
        for column in spec.columns:
            assert parse_sort(column, spec).text == column


SEGMENTS = [("active", {"a": 1}), ("expired", {"e": 1})]


def test_a_sort_on_status_reads_each_status_in_turn_from_the_start():
    order = parse_sort("status", SESSION_CREDITS)

    assert order.keys[0] == ("status", 1) and order.rest.keys == (("client_id", 1), ("location_id", 1), ("package_id", 1))
    assert segments_after(order, SEGMENTS, None) == [("active", {"a": 1}, None), ("expired", {"e": 1}, None)]


def test_descending_status_reads_expired_first():
    assert [v for v, _, _ in segments_after(parse_sort("-status", SESSION_CREDITS), SEGMENTS, None)] == ["expired", "active"]


def test_a_status_cursor_continues_inside_its_segment_then_reads_the_next_from_the_start():
    order = parse_sort("status", SESSION_CREDITS)

    assert segments_after(order, SEGMENTS, ["active", "c-1", "l-1", "p-1"]) == [
        ("active", {"a": 1}, ["c-1", "l-1", "p-1"]), ("expired", {"e": 1}, None)]
    assert segments_after(order, SEGMENTS, ["expired", "c-1", "l-1", "p-1"]) == [("expired", {"e": 1}, ["c-1", "l-1", "p-1"])]


def test_a_status_cursor_with_an_unknown_status_is_refused_naming_cursor():
    with pytest.raises(InvalidParameter) as refused:
        segments_after(parse_sort("status", SESSION_CREDITS), SEGMENTS, ["lapsed", "c-1", "l-1", "p-1"])

    assert refused.value.field == "cursor"
