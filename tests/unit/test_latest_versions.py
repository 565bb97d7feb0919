"""The in-process cache of each aggregate's latest version: an accelerator that never goes back."""

from cachetools import LRUCache

from shared.wiring.latest_versions import LatestVersions
from shared.wiring.versions import Version


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
