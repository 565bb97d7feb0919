"""A service's background jobs (relays, compactors, feeds, sweeps): run side by side for as long
as the service runs, each kept alive across unexpected errors, all cancelled when it stops."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager

from shared.wiring.failures import is_outage
from shared.wiring.logging import get_logger

log = get_logger(__name__)

Job = Callable[[], Awaitable[None]]


@asynccontextmanager
async def running(jobs: Iterable[Job]) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(_supervised(job)) for job in jobs]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _supervised(job: Job) -> None:
    """Keeps a background loop alive across unexpected errors; cancellation stops it."""
    while True:
        try:
            await job()
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            name = getattr(job, "__name__", "job")
            if is_outage(error):  # the store or the broker: no traceback to read, just wait
                log.warning("background job waiting out an outage; restarting in 1s", job=name, error=repr(error)[:300])
            else:
                log.exception("background job failed; restarting in 1s", job=name)
            await asyncio.sleep(1)