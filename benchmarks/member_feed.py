"""What the notifier's member feed (services/notifier/adapters/member_feed.py) costs: the writer's extra
insert per batch of members, and a follower's read twice a second, idle and under writes.

    python -m benchmarks.member_feed [--batches 40 --members 500 --rounds 40]

Prints ms per call and writes benchmarks/results/member_feed.json. A follower's round in the
service also reloads the audiences, journeys and zones (three finds on small collections),
measured here too.
"""

import argparse
import asyncio
import time

from pymongo import AsyncMongoClient

from benchmarks import harness
from services.notifier.domain.members import new_member, with_ledger_entry
from services.notifier.service_layer.catalog import Catalog
from services.notifier.adapters.member_feed import MemberFeed
from services.notifier.adapters.store import NotifierStore
from shared.wiring.locations import LocationBook
from shared.wiring.settings import Settings

DATABASE = "bench_member_feed"


async def _outlast(_subscriber, step):
    return await step()


def _member(n: int, balance: int) -> dict:
    member = with_ledger_entry(new_member("loc-1", f"c-{n}"), balance, -balance, "USD")
    return {**member, "audiences": {"owing-balance": {"in": True, "entry": 1}}}


async def _timed(call, count: int) -> float:
    began = time.perf_counter()
    for n in range(count):
        await call(n)
    return round((time.perf_counter() - began) * 1000 / count, 2)


async def measure(db, batches: int, members: int, rounds: int) -> dict:
    writer, follower = NotifierStore(db), NotifierStore(db)
    feed = MemberFeed(db["member_feed"], writer.book, _outlast)
    follow = MemberFeed(db["member_feed"], follower.book, _outlast)
    await feed.ensure_indexes()
    versions = lambda n: [{"key": f"loc-1|c-{i}", "version": n + 1, "member": _member(i, n + 1)}
                          for i in range(members)]
    write_ms = await _timed(lambda n: db["member_versions"].insert_many(  # the members' own insert, as committed
        [{"_id": f"{v['key']}#{v['version']:012d}", "key": v["key"], "version": v["version"], "state": v["member"],
          "events": [], "published": True} for v in versions(n)]), batches)
    announce_ms = await _timed(lambda n: feed.announce(versions(n)), batches)
    busy_ms = await _timed(lambda n: follow.read(), 1)  # every entry of the run, in the window
    window_ms = await _timed(lambda n: follow.read(), 1)  # the same marks again, all seen
    await asyncio.sleep(4)  # the window has moved past them
    idle_ms = await _timed(lambda n: follow.read(), rounds)
    catalog, zones = Catalog(follower), LocationBook(db["locations"])
    others_ms = await _timed(lambda n: _others(catalog, zones), rounds)
    return {"members_per_batch": members, "batches": batches, "versions_insert_many_ms": write_ms,
            "announce_ms": announce_ms, "read_of_all_entries_ms": busy_ms, "read_of_seen_marks_ms": window_ms,
            "idle_read_ms": idle_ms,
            "catalog_and_zones_reload_ms": others_ms, "learned": len(follower.book.keys())}


async def _others(catalog: Catalog, zones: LocationBook) -> None:
    await catalog.reload()
    await zones.refresh()


async def main(batches: int, members: int, rounds: int) -> dict:
    client = AsyncMongoClient(Settings().mongodb_url, tz_aware=True)
    try:
        await client.drop_database(DATABASE)
        result = await measure(client[DATABASE], batches, members, rounds)
        server = await client.admin.command("buildInfo")
    finally:
        await client.drop_database(DATABASE)
        await client.close()
    result["server"] = f"FerretDB {server['ferretdbVersion']}" if "ferretdbVersion" in server else \
        f"MongoDB {server['version']}"
    print(result)
    print(f"wrote {harness.save('member_feed', result)}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.batches, args.members, args.rounds))
