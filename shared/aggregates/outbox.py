"""The outbox and its relay: publishes the events stored with each version, once, in order.

Which versions still have events to publish is kept beside the log, one entry per insert batch
(shared.aggregates.pending_batches): written before the versions, removed once their events are
out; the log itself is not updated on that path. The relay publishes what a crash left
pending. Published events keep their ids, and every reader keeps the highest version it saw,
so a republish changes nothing downstream.
"""

import asyncio
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from itertools import groupby

from shared.aggregates.latest_versions import LatestVersions
from shared.wiring.logging import get_logger
from shared.aggregates.pending_batches import PendingBatches
from shared.aggregates.recorder import VersionRecorder
from shared.wiring.tracing import resumed
from shared.aggregates.versions import Publish, Version

log = get_logger(__name__)


class Outbox:
    def __init__(self, recorder: VersionRecorder, pending: PendingBatches, publish: Publish,
                 latest: LatestVersions, now: Callable[[], datetime]) -> None:
        self._recorder = recorder
        self.pending = pending
        self._publish = publish
        self._latest = latest
        self._now = now
        self._publishing: dict[str, asyncio.Future] = {}  # version id -> its publish in progress

    async def finish(self, versions: list[Version], batch: str | None = None, complete: Collection[str] = ()) -> None:
        """Publish what these versions have not published yet, in order, then mark them.

        `batch` (every version of it that has events is among `versions`) and the batches in
        `complete` are marked by removing their pending entry. A version of another batch, one
        a crash left behind, is marked on its own in the log: publishing it does not tell
        whether the rest of its batch is out.
        """
        unpublished = [v for v in versions if not v.published and v.events and not await self._out_meanwhile(v)]
        if not unpublished:
            return
        out = asyncio.get_running_loop().create_future()
        for version in unpublished:
            self._publishing.setdefault(version.id, out)
        try:
            await self._publish_and_mark(unpublished, set(complete) | ({batch} if batch else set()))
            out.set_result(True)
        finally:
            if not out.done():
                out.set_result(False)
            for version in unpublished:
                if self._publishing.get(version.id) is out:
                    del self._publishing[version.id]

    async def _out_meanwhile(self, version: Version) -> bool:
        """Whether another task of this process (the relay, or the writer the relay caught in
        flight) was publishing this version, and did: publishing it again would be a repeat."""
        publishing = self._publishing.get(version.id)
        return publishing is not None and await asyncio.shield(publishing)

    async def _publish_and_mark(self, unpublished: list[Version], whole: set[str]) -> None:
        for trace, traced in groupby(unpublished, key=lambda v: v.trace):
            with resumed(trace):  # a relay's republish continues the trace that caused the events
                await self._publish([event for v in traced for event in v.events])
        await self.pending.done([b for b in whole if any(v.batch == b for v in unpublished)])
        for version in unpublished:
            if version.batch not in whole:
                await self._recorder.mark_published(version)
            version.published = True
            self._latest.published(version)

    async def relay_pending(self, older_than: timedelta = timedelta(seconds=2)) -> int:
        """Publish what crashed writers left unpublished, oldest first. Returns how many versions."""
        stale = await self.pending.older_than(self._now() - older_than)
        stored = [version for batch in stale for version in await self._recorder.of_batch(batch)]
        pending = sorted((v for v in stored if not v.published), key=lambda v: (v.key, v.number))
        await self.finish(pending, complete=stale)
        await self.pending.done([b for b in stale if all(v.batch != b for v in pending)])  # none stored
        return len(pending)

    async def run_relay(self, every: float = 2.0) -> None:
        while True:
            flushed = await self.relay_pending()
            if flushed:
                log.info("outbox relay republished", versions=flushed)
            await asyncio.sleep(every)
