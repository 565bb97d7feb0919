"""A bounded cache of each aggregate's latest known version: an accelerator that never goes back.

Versions are never deleted, so a stale entry is harmless: it only costs a lost insert and a
reload (FerretDB v1 serves a lookup by key from an index, but the sort by version runs in Go).
"""

import json

from cachetools import LRUCache

from shared.wiring.versions import Version


class LatestVersions:
    """Least recently used out. States are kept as JSON bytes: a few kilobytes each instead of
    the tens a Python dict of the same state takes, so the cache stays small at tens of
    thousands of clients."""

    def __init__(self, size: int) -> None:
        self._entries: LRUCache[str, tuple] = LRUCache(size)

    def get(self, key: str) -> Version | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        number, state, events, published, batch, trace = entry
        return Version(key, number, _thaw(state), events, published, batch=batch, trace=trace)

    def put(self, version: Version) -> None:
        known = self._entries.get(version.key)
        if known is None or known[0] <= version.number:
            events = [] if version.published else version.events
            self._entries[version.key] = (version.number, _freeze(version.state), events, version.published,
                                          version.batch, version.trace)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def published(self, version: Version) -> None:
        entry = self._entries.get(version.key)
        if entry is not None and entry[0] == version.number:
            self._entries[version.key] = (entry[0], entry[1], [], True, entry[4], entry[5])


def _freeze(state: dict | None):
    try:
        return json.dumps(state, separators=(",", ":")).encode()
    except TypeError:
        return state  # not JSON-shaped (datetimes...): kept as it is


def _thaw(frozen):
    return json.loads(frozen) if isinstance(frozen, bytes) else frozen
