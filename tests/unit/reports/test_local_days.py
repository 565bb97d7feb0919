"""Report filters judged in each location's own day, and names joined in when read."""

from datetime import UTC, date, datetime

from services.reports.adapters import criteria
from services.reports.domain.locations import Places
from services.reports.domain.ordering import parse_sort
from services.reports.domain.paging import page_in_memory
from services.reports.domain.reports import BALANCE_MOVEMENTS, SESSION_CREDITS, present

NOW = datetime(2026, 6, 30, 11, tzinfo=UTC)  # 1 July in Kiritimati, 29 June at UTC-12, 30 June in UTC
PLACES = Places({"east": {"name": "Kiritimati", "time_zone": "Pacific/Kiritimati"},
                 "west": {"name": "Baker", "time_zone": "Etc/GMT+12"},
                 "london": {"name": "Soho", "time_zone": "Europe/London"}}, NOW)


def expired_before(today: date) -> dict:
    return {"expires_on": {"$lt": today.isoformat()}}


def test_one_location_asked_for_is_judged_on_its_today_alone():
    assert criteria.per_local_day(["east"], PLACES, expired_before) == expired_before(date(2026, 7, 1))


def test_locations_sharing_a_today_need_no_split():
    assert criteria.per_local_day(["london", "nowhere"], PLACES, expired_before) == expired_before(date(2026, 6, 30))


def test_the_whole_brand_is_split_by_today_with_unregistered_locations_on_the_utc_day():
    where = criteria.per_local_day(None, PLACES, expired_before)

    assert sorted(where["$or"], key=str) == sorted([
        {"location_id": {"$in": ["east"]}, **expired_before(date(2026, 7, 1))},  # one flat document each
        {"location_id": {"$in": ["west"]}, **expired_before(date(2026, 6, 29))},
        {"location_id": {"$nin": ["east", "west"]}, **expired_before(date(2026, 6, 30))},
    ], key=str)


def test_name_segments_put_unnamed_locations_first_then_names_case_insensitively():
    places = Places({**PLACES.records, "pop-up": {"name": None, "time_zone": "UTC"},
                     "annex": {"name": "baker", "time_zone": "UTC"}}, NOW)

    segments = criteria.name_segments(None, places)

    assert [value for value, _ in segments] == [None, "Baker", "baker", "Kiritimati", "Soho"]
    assert segments[0][1] == {"location_id": {"$nin": ["annex", "east", "london", "west"]}}


def test_a_row_shows_its_locations_name_and_status_on_its_today():
    document = {"location_id": "east", "client_id": "c-1", "expires_on": "2026-06-30"}

    row = present(SESSION_CREDITS, document, PLACES)

    assert (row["location_name"], row["status"]) == ("Kiritimati", "expired")
    assert present(SESSION_CREDITS, {**document, "location_id": "west"}, PLACES)["status"] == "active"
    assert present(SESSION_CREDITS, {**document, "location_id": "nowhere"}, PLACES)["location_name"] is None


def test_rows_in_memory_sort_by_name_with_unnamed_ones_first():
    rows = [{"location_id": l, "location_name": n, "currency": "USD"} for l, n in
            [("a", "Soho"), ("b", None), ("c", "Baker")]]

    page, _ = page_in_memory(rows, parse_sort("location_name", BALANCE_MOVEMENTS), None, 10)
    backwards, _ = page_in_memory(rows, parse_sort("-location_name", BALANCE_MOVEMENTS), None, 10)

    assert [r["location_id"] for r in page] == ["b", "c", "a"]
    assert [r["location_id"] for r in backwards] == ["a", "c", "b"]
