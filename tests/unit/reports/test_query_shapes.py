"""Filters keep every equality a top-level key (FerretDB v1 pushes only those to PostgreSQL)."""

from datetime import UTC, date, datetime, time

from services.reports.adapters import criteria
from services.reports.domain.locations import Places
from services.reports.domain.ordering import parse_sort
from services.reports.domain.reports import ACCOUNT_BALANCES, CLIENTS_WITH_CREDIT, SESSION_CREDITS

TODAY = date(2026, 6, 1)


def test_a_search_beside_a_location_stays_one_flat_document():
    found = criteria.all_of({"location_id": "l-1"}, criteria.matching("Smith"), criteria.with_balance("negative"))

    assert found == {"location_id": "l-1", "search": {"$regex": "smith"}, "balance_minor": {"$lt": 0}}


def test_the_next_page_of_a_location_keeps_its_equality_at_the_top():
    order = parse_sort("-account_credit_balance_minor", CLIENTS_WITH_CREDIT)
    after = criteria.after_key(order, [500, "c-9", "l-1"])

    found = criteria.all_of({"location_id": "l-1"}, criteria.with_credit(None, None, None), after)

    assert found["location_id"] == "l-1" and "$and" not in found
    assert found["account_credit_balance_minor"] == {"$gte": 1} and len(found["$or"]) == 4


def test_an_ascending_cursor_bounds_its_first_field_beside_the_other_operators():
    order = parse_sort("balance_minor", ACCOUNT_BALANCES)

    found = criteria.all_of({"location_id": "l-1"}, criteria.with_balance("positive"),
                            criteria.after_key(order, [300, "c-2", "l-1"]))

    assert found["balance_minor"] == {"$gt": 0, "$gte": 300} and "$and" not in found


def test_only_colliding_conditions_go_into_and():
    found = criteria.all_of({"location_id": "l-1", "$or": [{"a": 1}, {"b": 2}]}, {"$or": [{"c": 3}, {"d": 4}]},
                            {"n": {"$gte": 1}}, {"n": {"$gte": 5}})

    assert found == {"location_id": "l-1", "$or": [{"a": 1}, {"b": 2}], "n": {"$gte": 1},
                     "$and": [{"$or": [{"c": 3}, {"d": 4}]}, {"n": {"$gte": 5}}]}


def test_a_package_range_keeps_its_start_top_level_and_the_second_or_apart():
    places = Places({}, datetime.combine(TODAY, time(12), UTC))

    found = criteria.packages_valid(date(2026, 7, 1), date(2026, 8, 1), None, False, None, places)

    assert found["starts_on"] == {"$lte": "2026-08-01"} and len(found["$and"]) == 1
    assert found["$or"] == [{"expires_on": None}, {"expires_on": {"$gte": "2026-07-01"}}]


def test_a_single_key_cursor_needs_no_or():
    order = parse_sort("client_id", ACCOUNT_BALANCES)

    assert criteria.after_key(order.rest.rest, None) == {}
    found = criteria.after_key(parse_sort("location_id", SESSION_CREDITS).rest.rest, ["p-1"])
    assert found == {"package_id": {"$gte": "p-1", "$gt": "p-1"}}


def test_several_locations_are_several_queries_and_the_brand_one_without_equality():
    assert criteria.scopes(["l-1", "l-2"]) == [{"location_id": "l-1"}, {"location_id": "l-2"}]
    assert criteria.scopes(None) == [{}]
    assert criteria.scopes([]) == []


def test_no_search_term_is_no_condition():
    assert criteria.matching(None) == criteria.matching("   ") == {}
