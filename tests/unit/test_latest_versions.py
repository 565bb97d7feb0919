"""The in-process cache of each aggregate's latest version: an accelerator that never goes back."""

from datetime import UTC, datetime, timedelta

import pytest
from cachetools import LRUCache

from shared.wiring.clock import ManualClock
from shared.aggregates.compaction import Retention
from shared.aggregates.latest_versions import LatestVersions
from shared.wiring.settings import Settings
from shared.aggregates.versions import Version


def version(number: int, published: bool = True) -> Version:
    return Version("loc|cli", number, {"n": number}, [] if published else [{"event_id": f"e-{number}"}], published)


def test_a_slow_read_never_replaces_a_newer_version_the_process_wrote():
    cache = LatestVersions(10)
    cache.put(version(2))  # written by this process
    cache.put(version(1))  # a load that started before the write and finished after it

    assert cache.get("loc|cli").number == 2 and cache.get("loc|cli").state == {"n": 2}


def test_a_forgotten_aggregate_is_read_from_the_store_again():
    cache = LatestVersions(10)
    cache.put(version(3))
    cache.forget("loc|cli")  # a lost insert: another writer got there first

    assert cache.get("loc|cli") is None


def test_a_version_is_marked_published_only_if_it_is_still_the_latest():
    cache = LatestVersions(10)
    cache.put(version(1, published=False))
    cache.put(version(2, published=False))
    cache.published(version(1, published=False))

    latest = cache.get("loc|cli")
    assert (latest.number, latest.published, latest.events) == (2, False, [{"event_id": "e-2"}])


def test_the_least_recently_used_entry_goes_first():
    cache = LRUCache(2)  # what the booking directory and the reports' writer keep their entries in
    cache["a"] = 1
    cache["b"] = 2
    cache.get("a")
    cache["c"] = 3

    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)


def test_a_version_known_for_longer_than_the_trust_bound_is_read_from_the_store_again():
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))
    cache = LatestVersions(10, clock.now, trust_for=timedelta(seconds=60))
    cache.put(version(3))

    clock.set(clock.now() + timedelta(seconds=60))
    assert cache.get("loc|cli").number == 3
    clock.set(clock.now() + timedelta(seconds=1))
    assert cache.get("loc|cli") is None  # superseded versions may be compacted past it by now


def test_a_version_known_since_a_time_after_now_is_not_trusted():
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))
    cache = LatestVersions(10, clock.now, trust_for=timedelta(seconds=60))
    cache.put(version(3))

    clock.set(clock.now() - timedelta(hours=1))  # a clock set back: how old the entry is, nobody knows
    assert cache.get("loc|cli") is None


def test_writing_or_reloading_a_version_trusts_it_again_but_publishing_it_does_not():
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))
    cache = LatestVersions(10, clock.now, trust_for=timedelta(seconds=60))
    cache.put(version(1, published=False))
    clock.set(clock.now() + timedelta(seconds=50))
    cache.published(version(1, published=False))
    clock.set(clock.now() + timedelta(seconds=20))
    assert cache.get("loc|cli") is None

    cache.put(version(1))  # reloaded: still the latest, as of now
    clock.set(clock.now() + timedelta(seconds=30))
    assert cache.get("loc|cli").number == 1


def test_superseded_versions_must_be_kept_well_past_the_time_a_writer_trusts_a_version():
    with pytest.raises(ValueError, match="twice"):
        Retention(keep_superseded=timedelta(seconds=90), trust_cache=timedelta(seconds=60))


def test_the_retention_comes_from_the_settings():
    retention = Retention.of(Settings(keep_superseded_seconds=1200, trust_cache_seconds=30))

    assert (retention.keep_superseded, retention.trust_cache) == (timedelta(minutes=20), timedelta(seconds=30))


def test_a_version_known_too_long_ago_is_told_apart_from_one_never_known():
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))
    cache = LatestVersions(10, clock.now, trust_for=timedelta(seconds=60))
    cache.put(version(3))
    clock.set(clock.now() + timedelta(minutes=5))

    assert cache.get("loc|cli") is None and cache.stale("loc|cli") and not cache.stale("loc|other")
