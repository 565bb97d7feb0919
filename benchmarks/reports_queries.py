"""Reports: one page through the HTTP API against the same query in raw PyMongo, and CSV export
rows/s against a raw cursor + csv.writer, on the same store, in one run.

    python -m benchmarks.reports_queries [--rows 1000000 --locations 100 --samples 20]

On FerretDB v1 every page sorts in Go over every matching document, so a run's time grows with
`rows` x `samples` (each sample is one API page and one raw page per query). On our loaded 2-core
machine a raw page over 100,000 rows took ~2 minutes and over 20,000 ~30 s, so `make bench` runs
`--rows 20000 --samples 3`; 1,000,000 was not attempted (see docs/benchmarks.md).

Loads `rows` account rows (and one package row each) in bulk with the documents the projection
writes, starts the reports service on them, and prints p50/p95 per query, the ratio to raw, CSV
rows/s for one location and for the whole brand, and the service's peak resident memory.
Writes benchmarks/results/reports_queries.json.
"""

import argparse
import asyncio
import csv
import io
import json
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import httpx
from pymongo import AsyncMongoClient

from benchmarks import harness
from services.reports.adapters.criteria import packages_valid
from services.reports.domain.profiles import with_full_name
from services.reports.entrypoints.subscribers import SUBSCRIPTIONS
from shared.wiring.auth import mint_token

SECRET = "bench-secret-bench-secret-bench-secret"
FIRST = ["Ada", "Grace", "Alan", "Kate", "Edsger", "Barbara", "Donald", "Frances", "Linus", "Margaret"]
LAST = ["Lovelace", "Hopper", "Turing", "Smith", "Dijkstra", "Liskov", "Knuth", "Allen", "Torvalds", "Hamilton"]


def account(n: int, locations: int, today: date) -> tuple[dict, dict]:
    location, client = f"loc-{n % locations:03d}", f"c{n:07d}"
    first, last = FIRST[n % 10], LAST[(n // 10) % 10]
    profile = {"first_name": first, "last_name": last, "full_name": f"{first} {last}",
               "email": f"{client}@example.com", "phone": f"+1 555 {n % 10000:04d}",
               "join_date": (today - timedelta(days=n % 900)).isoformat()}
    profile = with_full_name(profile)  # adds search and the case-folded sort copies
    balance = (n * 7919) % 20000 - 10000
    row = {"_id": f"{location}|{client}", "location_id": location, "client_id": client, **profile,
           "balance_minor": balance, "account_credit_balance_minor": max(balance, 0), "currency": "USD",
           "last_activity_at": datetime.now(UTC), "version": 1}
    used = n % 11
    package = {"_id": f"{location}|{client}|p", "location_id": location, "client_id": client, "package_id": "p",
               "package_name": "10 Class Pack", "sort_package_name": "10 class pack", "credits_purchased": 10, "credits_adjusted": 0, "total": 10,
               "consumed": used, "hold_starts": [], "credits_used": used, "credits_remaining": 10 - used,
               "starts_on": (today - timedelta(days=30)).isoformat(),
               "expires_on": (today + timedelta(days=n % 200 - 20)).isoformat(), **profile, "version": 1}
    return row, package


async def load(db, rows: int, locations: int) -> float:
    today, began, chunk = date.today(), time.perf_counter(), 5000
    for start in range(0, rows, chunk):
        pairs = [account(n, locations, today) for n in range(start, min(rows, start + chunk))]
        await db["accounts"].insert_many([a for a, _ in pairs], ordered=False)
        await db["packages"].insert_many([p for _, p in pairs], ordered=False)
    return time.perf_counter() - began


def queries(today: date) -> dict:
    """name -> (HTTP path and params, raw collection, filter, sort)."""
    tie = [("client_id", 1), ("location_id", 1)]
    return {
        "clients-with-account-credit": ("/v1/reports/clients-with-account-credit", {}, "accounts",
                                        {"account_credit_balance_minor": {"$gte": 1}},
                                        [("account_credit_balance_minor", -1)] + tie),
        "session-credits-remaining": ("/v1/reports/session-credits-remaining", {}, "packages",
                                      packages_valid(None, None, None, False, today), tie + [("package_id", 1)]),
        "account-balances": ("/v1/reports/account-balances", {}, "accounts", {}, tie),
        "account-balances by name, q=smith": ("/v1/reports/account-balances", {"sort": "full_name", "q": "smith"},
                                              "accounts", {"search": {"$regex": "smith"}}, [("sort_full_name", 1)] + tie),
    }


async def timed(fn, samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        began = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - began)
    return out


def summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1)}


async def compare_pages(http, db, samples: int) -> dict:
    results = {}
    for name, (path, params, collection, filter_, sort) in queries(date.today()).items():
        async def api():
            response = await http.get(path, params={**params, "limit": 50})
            response.raise_for_status()

        async def raw():
            await db[collection].find(filter_).sort(sort).limit(51).to_list()

        api_s, raw_s = summary(await timed(api, samples)), summary(await timed(raw, samples))
        results[name] = {"api": api_s, "raw": raw_s, "p95_ratio": round(api_s["p95_ms"] / max(raw_s["p95_ms"], 0.1), 2)}
        print(name, results[name], flush=True)
    return results


async def compare_csv(http, db, location: str | None) -> dict:
    params = {"format": "csv", **({"location": location} if location else {})}
    began, rows = time.perf_counter(), -1
    async with http.stream("GET", "/v1/reports/account-balances", params=params) as response:
        async for line in response.aiter_lines():
            rows += 1 if line else 0
    api_seconds = time.perf_counter() - began
    began, raw_rows = time.perf_counter(), 0
    out = csv.writer(io.StringIO())
    query = {"location_id": location} if location else {}
    async for doc in db["accounts"].find(query).sort([("client_id", 1), ("location_id", 1)]).batch_size(500):
        out.writerow([doc.get(c) for c in ("location_id", "client_id", "full_name", "email", "balance_minor",
                                           "currency", "last_activity_at")])
        raw_rows += 1
    raw_seconds = time.perf_counter() - began
    return {"rows": rows, "api_rows_per_s": round(rows / api_seconds), "raw_rows_per_s": round(raw_rows / raw_seconds),
            "ratio": round((rows / api_seconds) / (raw_rows / raw_seconds), 2)}


async def main(rows: int, locations: int, samples: int) -> dict:
    began = time.perf_counter()
    await harness.prepare_topics()
    run = harness.run_id()
    prefix, database = f"bench{run}.", f"bench{run}_reports"
    ends = await harness.end_offsets(list(SUBSCRIPTIONS.values()))
    for suffix, topic in SUBSCRIPTIONS.items():  # the service reads none of the topics' history
        await harness.commit_at(f"{prefix}reports.{suffix}", {tp: o for tp, o in ends.items() if tp.topic == topic})
    mongo = AsyncMongoClient(harness.MONGODB, tz_aware=True)
    db = mongo[database]
    load_seconds = await load(db, rows, locations)
    print(f"loaded {rows} accounts + {rows} packages in {load_seconds:.0f}s", flush=True)
    env = {"DATABASE_PREFIX": f"bench{run}", "CONSUMER_GROUP_PREFIX": prefix, "STAFF_JWT_SECRET": SECRET}
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    port = harness.free_port()
    process = harness.start_service("reports", port, env, harness.RESULTS / f"reports-{run}.log")
    token = mint_token(SECRET, "bench", "reporting", ["*"])
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            pages = await compare_pages(http, db, samples)
            one = await compare_csv(http, db, "loc-007")
            brand = await compare_csv(http, db, None)
        rss = harness.peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(30)
        await mongo.drop_database(database)
        await mongo.close()
    result = {"rows": rows, "locations": locations, "samples": samples, "load_seconds": round(load_seconds, 1),
              "run_seconds": round(time.perf_counter() - began, 1),
              "pages": pages, "csv_one_location": one, "csv_whole_brand": brand, "reports_peak_rss_mb": round(rss, 1),
              "targets": {"p95_ratio": "<= 1.5", "csv_ratio": ">= 0.7", "memory": "flat in the row count"}}
    print(json.dumps(result, indent=2))
    print(f"wrote {harness.save('reports_queries', result)}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="account rows (and as many package rows)")
    parser.add_argument("--locations", type=int, default=100)
    parser.add_argument("--samples", type=int, default=20, help="timed pages per query, API and raw each")
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.locations, args.samples))
