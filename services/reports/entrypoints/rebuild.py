"""`python -m services.reports.entrypoints.rebuild`: rebuild every read model from the topics into a fresh
generation, then switch the service over to it without stopping it.

1. The next generation's collections are created empty (left-overs of a failed attempt dropped).
2. Every record of `studio.locations.v1`, `studio.clients.v1` and `studio.credits.v1` from the
   beginning up to the end offsets taken at the start goes through the live subscribers'
   `Projector` (progress bar); a second pass takes what arrived meanwhile.
3. Live writes are held (`paused_until`, a lease that lapses by itself if this process dies), and
   after SETTLE_SECONDS (every instance has seen the hold; handlers under way have finished) the
   records up to the end offsets of that moment are applied: a superset of what the live service
   wrote to the old generation. Then the generation document names the new generation and lifts
   the hold; the service picks both up within a second. Nothing writes one generation from two
   processes at once (FerretDB v1 has no atomic conditional update), and a record applied here
   and again by the service changes nothing (the projections are idempotent).
4. The previous generation is kept (to switch back), older ones are dropped.
"""

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiokafka import ConsumerRecord
from pymongo.asynchronous.database import AsyncDatabase
from tqdm import tqdm

from services.reports.domain.generations import collections_of, live_generation, stale_collections
from services.reports.domain.positions import Positions, later_of, parse_positions, remaining
from services.reports.adapters.generations import Generations
from services.reports.service_layer.projector import Projector
from services.reports.adapters.replay import TopicReader
from services.reports.adapters.store import ReportsStore
from shared.contract.topics import CLIENTS, CREDITS, LOCATIONS
from shared.wiring import mongo
from shared.wiring.failures import Outages
from shared.wiring.settings import Settings

SETTLE_SECONDS = 3.0  # > the service's refresh interval (1 s) + a handler under way
HOLD_LEASE = timedelta(seconds=60)


@dataclass
class Tally:
    applied: int = 0
    skipped: int = 0
    bar: tqdm | None = field(default=None, repr=False)

    def count(self, applied: int, skipped: int) -> None:
        self.applied, self.skipped = self.applied + applied, self.skipped + skipped
        if self.bar is not None:
            self.bar.update(applied + skipped)


@dataclass
class Outcome:
    generation: int
    tally: Tally
    seconds: float
    rows: dict[str, int]
    dropped: list[str]


def applier(projector: Projector, tally: Tally, outages: Outages | None = None):
    """Applies a fetched batch; a failing store is waited out in place, as the live subscribers do
    (shared.wiring.failures), rather than ending a rebuild that may have run for minutes."""
    outages = outages or Outages()

    async def apply(records: list[ConsumerRecord]) -> None:
        applied = await outages.outlast("reports/rebuild", lambda: projector.records(records))
        tally.count(applied, len(records) - applied)

    return apply


async def fresh_store(db: AsyncDatabase, generation: int) -> ReportsStore:
    for name in collections_of(generation):
        await db.drop_collection(name)
    store = ReportsStore(db, lambda: generation)
    await store.ensure_indexes()
    return store


async def replay_all(reader: TopicReader, start: Positions, apply, tally: Tally, generation: int) -> Positions:
    """The main pass, with its progress bar; returns where it stopped."""
    end = await reader.ends()
    with tqdm(total=remaining(start, end), desc=f"rebuilding generation {generation}", unit="rec",
              mininterval=0.5, file=sys.stderr) as tally.bar:
        await reader.replay(start, end, apply)
    tally.bar = None
    return end


async def catch_up(reader: TopicReader, start: Positions, apply) -> Positions:
    end = await reader.ends()
    await reader.replay(start, end, apply)
    return end


async def switch_over(generations: Generations, reader: TopicReader, stopped: Positions, apply,
                      generation: int, settle: float) -> None:
    await generations.pause(datetime.now(UTC) + HOLD_LEASE)
    try:
        await asyncio.sleep(settle)
        await catch_up(reader, stopped, apply)
        await generations.switch(generation)
    except BaseException:
        await generations.pause(datetime.now(UTC))  # lift the hold; the old generation stays live
        raise


async def drop_stale(db: AsyncDatabase, live: int) -> list[str]:
    stale = stale_collections(await db.list_collection_names(), live)
    for name in stale:
        await db.drop_collection(name)
    return stale


async def row_counts(store: ReportsStore) -> dict[str, int]:
    names = ("locations", "clients", "packages", "membership_periods", "memberships", "accounts", "account_entries")
    return {name: await store.rows(name).count_documents({}) for name in names}


async def build(db: AsyncDatabase, reader: TopicReader, start: Positions | None, settle: float) -> Outcome:
    began, generations = time.monotonic(), Generations(db)
    generation = live_generation(await generations.read()) + 1
    store, tally = await fresh_store(db, generation), Tally()
    apply = applier(Projector(store), tally)
    origin = later_of(await reader.beginnings(), start or {})
    stopped = await replay_all(reader, origin, apply, tally, generation)
    stopped = await catch_up(reader, stopped, apply)
    await switch_over(generations, reader, stopped, apply, generation, settle)
    dropped = await drop_stale(db, generation)
    return Outcome(generation, tally, time.monotonic() - began, await row_counts(store), dropped)


async def rebuild(settings: Settings, start: Positions | None = None, settle: float = SETTLE_SECONDS) -> Outcome:
    client = mongo.connect(settings.mongodb_url)
    reader = TopicReader(settings.kafka_bootstrap_servers, [LOCATIONS, CLIENTS, CREDITS])
    await reader.start()
    try:
        return await build(mongo.database(client, settings.database_name), reader, start, settle)
    finally:
        await reader.stop()
        await client.close()


def summary(outcome: Outcome, database: str) -> str:
    rows = "\n".join(f"  {name}: {count} rows" for name, count in outcome.rows.items())
    previous = outcome.generation - 1
    return (f"generation {outcome.generation} is live in {database}: {outcome.tally.applied} records applied, "
            f"{outcome.tally.skipped} skipped (invalid, dead-lettered when first consumed) "
            f"in {outcome.seconds:.1f} s\n{rows}\n"
            f"kept generation {previous}; to go back: db.generations.updateOne({{_id: 'current'}}, "
            f"{{$set: {{live: {previous}}}}})\n"
            f"dropped: {', '.join(outcome.dropped) or 'nothing'}")


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m services.reports.entrypoints.rebuild",
        description="Rebuild the reports' read models from the topics into a new generation and switch to it.")
    parser.add_argument("--start-offsets-json", default=None, metavar="JSON",
                        help='tests only: {"<topic>": {"<partition>": offset}} to read from instead of the '
                             "beginning (a test run's own 'offset 0')")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    settings = Settings.for_service("reports", 8003)
    start = parse_positions(args.start_offsets_json) if args.start_offsets_json else None
    outcome = asyncio.run(rebuild(settings, start))
    print(summary(outcome, settings.database_name), flush=True)


if __name__ == "__main__":
    main()
