"""What renaming a location costs, copied onto every row or joined in when read.

    python -m benchmarks.location_rename [--clients 1000 --locations 10 --reads 50]

A location with `--clients` clients has a package row and an account row each (the two report
collections that show `location_name`), among `--locations` locations of as many clients. The
two designs side by side:

- copied: the name stored on every row, so a rename is an `update_many` on each collection
  (FerretDB v1 reads each matching row into Go and writes it back);
- joined (what the reports do): one `replace_one` of the location's document, and every report
  read costs one extra `find` of the small `locations` collection.

Prints ms per rename for both and ms per extra read, and writes benchmarks/results/location_rename.json.
"""

import argparse
import asyncio
import time

from pymongo import AsyncMongoClient

from benchmarks import harness
from shared.wiring.settings import Settings

DATABASE = "bench_location_rename"


async def fill(db, clients: int, locations: int) -> None:
    for collection in ("packages", "accounts"):
        for n in range(locations):
            await db[collection].insert_many([
                {"_id": f"loc-{n}|c-{c}", "location_id": f"loc-{n}", "client_id": f"c-{c}", "location_name": "Old",
                 "balance_minor": c, "full_name": f"Client {c}"} for c in range(clients)])
        await db[collection].create_index([("location_id", 1), ("client_id", 1)])
    await db["locations"].insert_many([{"_id": f"loc-{n}", "name": "Old", "time_zone": "UTC"}
                                       for n in range(locations)])


async def timed_ms(call, times: int) -> float:
    began = time.perf_counter()
    for n in range(times):
        await call(n)
    return round((time.perf_counter() - began) * 1000 / times, 2)


async def main(clients: int, locations: int, reads: int) -> dict:
    client = AsyncMongoClient(Settings().mongodb_url)
    try:
        await client.drop_database(DATABASE)
        db = client[DATABASE]
        await fill(db, clients, locations)

        async def copied(n: int) -> None:
            for collection in ("packages", "accounts"):
                await db[collection].update_many({"location_id": "loc-0"}, {"$set": {"location_name": f"New {n}"}})

        async def joined(n: int) -> None:
            await db["locations"].replace_one({"_id": "loc-0"}, {"name": f"New {n}", "time_zone": "UTC"})

        async def read_locations(_: int) -> None:
            await db["locations"].find({}).to_list()

        result = {"clients_renamed": clients, "locations": locations,
                  "copied_rename_ms": await timed_ms(copied, 3), "joined_rename_ms": await timed_ms(joined, 20),
                  "joined_read_overhead_ms": await timed_ms(read_locations, reads)}
        server = await client.admin.command("buildInfo")
    finally:
        await client.drop_database(DATABASE)
        await client.close()
    result["server"] = f"FerretDB {server['ferretdbVersion']}" if "ferretdbVersion" in server else \
        f"MongoDB {server['version']}"
    print(result, flush=True)
    print(f"wrote {harness.save('location_rename', result)}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1_000)
    parser.add_argument("--locations", type=int, default=10)
    parser.add_argument("--reads", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.clients, args.locations, args.reads))
