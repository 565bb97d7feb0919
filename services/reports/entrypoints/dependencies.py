"""What the reports routes are given, by type (bound in `services.reports.bootstrap`)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.reports.service_layer.queries import ReportQueries
from services.reports.adapters.store import ReportsStore
from shared.wiring.clock import Clock
from shared.wiring.dependencies import Provider


@dataclass(frozen=True)
class Reading:
    """What every report reads: the read models, the queries over them, and the clock (today)."""

    store: ReportsStore
    queries: ReportQueries
    clock: Clock


READING = Provider[Reading]("reports reading")

Reads = Annotated[Reading, Depends(READING)]
