"""Bookings, credits and the notifier compact their version logs in the background and count what they delete."""

from datetime import timedelta

import pytest
from prometheus_client import generate_latest

from services.bookings.bootstrap import assemble as bookings
from services.credits.bootstrap import assemble as credits
from services.notifier.bootstrap import assemble as notifier
from shared.wiring.service import build_wiring
from shared.wiring.settings import Settings


@pytest.mark.parametrize(("assemble", "log"), [(bookings, "client_bookings"), (credits, "client_credits"),
                                                  (notifier, "member_versions")])
async def test_the_service_runs_a_compactor_and_shows_the_versions_it_deleted(assemble, log):
    wiring = build_wiring(Settings(keep_superseded_seconds=1200, trust_cache_seconds=30))  # connects lazily
    service = assemble(wiring)

    [compacting] = [job for job in service.background if getattr(job, "__name__", "") == "run_compactor"]
    assert f'versions_deleted_total{{log="{log}"}} 0.0' in generate_latest(wiring.registry).decode()
    retention = compacting.__self__.compactor._retention  # the store whose compactor runs
    assert (retention.keep_superseded, retention.trust_cache) == (timedelta(minutes=20), timedelta(seconds=30))
    await wiring.mongo_client.close()
