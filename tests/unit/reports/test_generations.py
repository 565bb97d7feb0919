from datetime import UTC, datetime, timedelta

from services.reports.domain.generations import (
    collection_name, collections_of, generation_of, live_generation, paused, stale_collections,
)
from services.reports.domain.positions import behind, later_of, parse_positions, remaining

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_generation_one_keeps_the_unsuffixed_names_so_old_deployments_need_no_migration():
    assert collection_name("clients", 1) == "clients"
    assert collection_name("account_entries", 3) == "account_entries_g3"


def test_a_collection_name_tells_its_generation():
    names = ("packages", "packages_g2", "membership_periods_g12", "meta_g4")

    assert [generation_of(n) for n in names] == [1, 2, 12, 4]


def test_names_that_are_not_read_models_have_no_generation():
    assert [generation_of(n) for n in ("generations", "other_g2", "clients_g", "clients_g0", "clients_gx")] == [None] * 5


def test_names_and_generations_round_trip():
    assert {generation_of(n) for n in collections_of(7)} == {7}
    assert "meta_g7" in collections_of(7) and "generations" not in collections_of(7)


def test_stale_collections_keep_the_live_and_the_previous_generation():
    names = ["clients", "meta", "clients_g2", "clients_g3", "clients_g4", "generations", "idempotency"]

    assert stale_collections(names, live=4) == ["clients", "clients_g2", "meta"]
    assert stale_collections(names, live=2) == []


def test_the_live_generation_is_one_until_a_rebuild_names_another():
    assert live_generation(None) == 1
    assert live_generation({"_id": "current", "paused_until": NOW}) == 1
    assert live_generation({"_id": "current", "live": 3}) == 3


def test_a_hold_on_live_writes_lapses_by_itself():
    held = {"live": 2, "paused_until": NOW + timedelta(seconds=5)}

    assert paused(held, NOW) and not paused(held, NOW + timedelta(seconds=5))
    assert not paused({"live": 2, "paused_until": None}, NOW) and not paused(None, NOW)


def test_positions_count_what_is_left_per_partition():
    start, end = {("a", 0): 5, ("a", 1): 9}, {("a", 0): 8, ("a", 1): 9, ("b", 0): 2}

    assert remaining(start, end) == 3 + 0 + 2
    assert behind(start, end) == {("a", 0): 5, ("b", 0): 0}


def test_start_offsets_parse_from_json_and_never_go_before_the_log_start():
    given = parse_positions('{"studio.clients.v1": {"0": 12, "1": 3}}')

    assert given == {("studio.clients.v1", 0): 12, ("studio.clients.v1", 1): 3}
    assert later_of({("studio.clients.v1", 0): 4, ("studio.clients.v1", 1): 7}, given) == {
        ("studio.clients.v1", 0): 12, ("studio.clients.v1", 1): 7}
