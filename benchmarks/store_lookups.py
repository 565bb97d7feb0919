"""What one lookup by `_id` costs the database as a collection grows: a `find_one`, and an
`update_one` on `_id` plus a version condition (the shape of every projection write).

    python -m benchmarks.store_lookups [--sizes 1000 10000 30000 --lookups 200]

On FerretDB v1 these were table scans until deploy/local/postgres/ferretdb-indexes.sql gave
PostgreSQL an index it can use for them; on MongoDB they are index lookups anyway.
Prints ms per call for each size and writes benchmarks/results/store_lookups.json.
"""

import argparse
import asyncio
import random
import time

from pymongo import AsyncMongoClient

from benchmarks import harness
from shared.wiring.settings import Settings

DATABASE = "bench_store_lookups"


async def per_call_ms(call, count: int) -> float:
    began = time.perf_counter()
    for n in range(count):
        await call(n)
    return round((time.perf_counter() - began) * 1000 / count, 2)


async def measure(collection, size: int, lookups: int) -> dict:
    stored = await collection.count_documents({})
    for start in range(stored, size, 1000):
        await collection.insert_many([{"_id": f"loc-01|client-{n}", "version": 1, "balance": n, "name": "x" * 50}
                                      for n in range(start, min(size, start + 1000))])
    rnd = random.Random(size)
    keys = [f"loc-01|client-{rnd.randrange(size)}" for _ in range(lookups)]
    find = await per_call_ms(lambda n: collection.find_one({"_id": keys[n]}), lookups)
    update = await per_call_ms(lambda n: collection.update_one({"_id": keys[n], "version": {"$lt": 10**9}},
                                                               {"$set": {"version": 2 + n}}), lookups)
    print(f"{size:>7} documents: find_one by _id {find} ms, conditional update_one {update} ms", flush=True)
    return {"documents": size, "find_one_ms": find, "update_one_ms": update}


async def main(sizes: list[int], lookups: int) -> dict:
    client = AsyncMongoClient(Settings().mongodb_url)
    try:
        await client.drop_database(DATABASE)
        collection = client[DATABASE]["rows"]
        results = [await measure(collection, size, lookups) for size in sorted(sizes)]
        server = await client.admin.command("buildInfo")
    finally:
        await client.drop_database(DATABASE)
        await client.close()
    name = f"FerretDB {server['ferretdbVersion']}" if "ferretdbVersion" in server else f"MongoDB {server['version']}"
    result = {"server": name, "lookups_per_size": lookups, "results": results}
    print(f"wrote {harness.save('store_lookups', result)}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 30_000])
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.sizes, args.lookups))
