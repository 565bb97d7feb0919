"""A bounded cache of each aggregate's latest known version: an accelerator that never goes back.

An entry is trusted for a short while only (`trust_for`, 60 s by default): older, it is a miss
and the writer reloads the latest version from the store. The compactor
(shared.aggregates.compaction) deletes superseded versions once they are much older than that, and a
deleted number could be inserted again by a writer that still believed in the version before
it. Within the bound a stale entry (another instance wrote meanwhile) is harmless: it costs a
lost insert and a reload (FerretDB v1 serves a lookup by key from an index, but the sort by
version runs in Go).
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cachetools import LRUCache

from shared.aggregates.versions import Version

TRUST_FOR = timedelta(seconds=60)


def _system_now() -> datetime:
    return datetime.now(UTC)


class LatestVersions:
    """Least recently used out. States are kept as JSON bytes: a few kilobytes each instead of
    the tens a Python dict of the same state takes, so the cache stays small at tens of
    thousands of clients. `now` is the clock the version log's `written_at` comes from, so a
    test (or an operator) moving it moves both bounds together."""

    def __init__(self, size: int, now: Callable[[], datetime] = _system_now, trust_for: timedelta = TRUST_FOR) -> None:
        self._entries: LRUCache[str, tuple] = LRUCache(size)
        self._now = now
        self._trust_for = trust_for

    def get(self, key: str) -> Version | None:
        """The latest version known, if it was loaded or written less than `trust_for` ago."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        number, state, events, published, batch, trace, confirmed = entry
        if not self._trusted(confirmed):
            return None  # too old to write on: the store may have compacted past it
        return Version(key, number, _thaw(state), events, published, batch=batch, trace=trace)

    def stale(self, key: str) -> bool:
        """Known, but too long ago to write on: worth a reload, not a guess that it is new."""
        entry = self._entries.get(key)
        return entry is not None and not self._trusted(entry[-1])

    def _trusted(self, confirmed: datetime) -> bool:
        return timedelta(0) <= self._now() - confirmed <= self._trust_for  # (a clock set back: unknown age)

    def put(self, version: Version) -> None:
        """A version just loaded from the store or just written by this process: the latest, now."""
        known = self._entries.get(version.key)
        if known is None or known[0] <= version.number:
            events = [] if version.published else version.events
            self._entries[version.key] = (version.number, _freeze(version.state), events, version.published,
                                          version.batch, version.trace, self._now())

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def published(self, version: Version) -> None:
        entry = self._entries.get(version.key)
        if entry is not None and entry[0] == version.number:
            self._entries[version.key] = (*entry[:2], [], True, *entry[4:])  # not a confirmation: same age


def _freeze(state: dict | None):
    try:
        return json.dumps(state, separators=(",", ":")).encode()
    except TypeError:
        return state  # not JSON-shaped (datetimes...): kept as it is


def _thaw(frozen):
    return json.loads(frozen) if isinstance(frozen, bytes) else frozen
