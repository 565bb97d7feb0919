"""Reports at brand scale: what a page costs at 10,000 and at 100,000 rows, through the API and raw.

    python -m benchmarks.reports_scale [--quick] [--sizes 10000 100000] [--samples 5]

One store, grown in place: `sizes[0]` rows loaded in bulk (account, package and client documents
exactly as the projection writes them, spread over 100 locations), measured, then topped up to
`sizes[1]` and measured again. For one location, three locations and the brand: p50/p95 of the
first page, the next page, a search and each sort, through the reports service's HTTP API (a real
process on a local port, started afresh for each size so its peak memory is that size's) and
through raw PyMongo issuing the same query shape. Then the brand's CSV through the API against a
raw cursor + csv.writer on the same rows, and the service's peak resident memory.

The machine is shared (2 cores, other work running): only numbers taken side by side in one run
are compared. Writes benchmarks/results/reports_scale.json and prints the ratios the issue asks.
"""

import argparse
import asyncio
import csv
import heapq
import io
import json
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import islice

import httpx
from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError, PyMongoError

from benchmarks import harness
from services.reports.adapters import criteria
from services.reports.domain.locations import Places
from services.reports.domain.ordering import decode_cursor, parse_sort, rank
from services.reports.domain.profiles import with_full_name
from services.reports.domain.reports import ACCOUNT_BALANCES, CLIENT_SEARCH, CLIENTS_WITH_CREDIT, SESSION_CREDITS
from services.reports.entrypoints.subscribers import SUBSCRIPTIONS
from services.reports.adapters.store import LOCATION, location_key
from shared.wiring.auth import mint_token
from shared.wiring.mongo import only_duplicate_keys

SECRET = "bench-secret-bench-secret-bench-secret"
LOCATIONS = 100
ONE, THREE = ["loc-007"], ["loc-007", "loc-042", "loc-077"]
BRAND = [f"loc-{n:03d}" for n in range(LOCATIONS)]
SCOPES = {"one location": ONE, "three locations": THREE, "brand": None}
LIMIT = 50
SEARCH = "smith"
FIRST = ["Ada", "Grace", "Alan", "Kate", "Edsger", "Barbara", "Donald", "Frances", "Linus", "Zoë"]
LAST = ["Lovelace", "Hopper", "Turing", "Smith", "Dijkstra", "Liskov", "Knuth", "Allen", "Torvalds", "Çelik"]
CSV_COLUMNS = ACCOUNT_BALANCES.columns


def documents(n: int, today: date) -> tuple[dict, dict, dict]:
    """The client, account and package documents of row n, as the projection stores them."""
    location, client = f"loc-{n % LOCATIONS:03d}", f"c{n:07d}"
    first, last = FIRST[n % 10], LAST[(n // 10) % 10]
    profile = with_full_name({"first_name": first, "last_name": last, "email": f"{client}@example.com",
                              "phone": f"+1 555 {n % 10000:04d}", "client_id": client,
                              "join_date": (today - timedelta(days=n % 900)).isoformat()})
    profile.pop("client_id")
    owner = {"location_id": location, "client_id": client}
    balance = (n * 7919) % 20000 - 10000
    account = {"_id": f"{location}|{client}", **owner, **profile, "balance_minor": balance,
               "account_credit_balance_minor": max(balance, 0), "currency": "USD",
               "last_activity_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n), "version": 1}
    used = n % 11
    package = {"_id": f"{location}|{client}|p", **owner, **profile, "package_id": "p", "package_name": "10 Class Pack",
               "sort_package_name": "10 class pack", "credits_purchased": 10, "credits_adjusted": 0, "total": 10,
               "consumed": used, "hold_starts": [], "credits_used": used, "credits_remaining": 10 - used,
               "starts_on": (today - timedelta(days=30)).isoformat(),
               "expires_on": (today + timedelta(days=n % 200 - 20)).isoformat(), "version": 1}
    client_doc = {"_id": f"{location}|{client}", **owner, **profile, "email_opt_out": False}
    return client_doc, account, package


async def load(db, start: int, end: int) -> float:
    today, began, chunk = date.today(), time.perf_counter(), 5000
    for first in range(start, end, chunk):
        rows = [documents(n, today) for n in range(first, min(end, first + chunk))]
        for i, base in enumerate(("clients", "accounts", "packages")):
            await riding_out(lambda: _insert(db[base], [r[i] for r in rows]))
    # what the projection keeps beside the rows: each location's mark, and as_of
    marks = [{"_id": location_key(location), "type": LOCATION, "location_id": location} for location in BRAND]
    await riding_out(lambda: _insert(db["meta"], marks))
    await riding_out(lambda: db["meta"].update_one({"_id": "as_of"}, {"$max": {"at": datetime.now(UTC)}}, upsert=True))
    return time.perf_counter() - began


async def _insert(rows, documents: list[dict]) -> None:
    try:
        await rows.insert_many(documents, ordered=False)
    except BulkWriteError as error:  # a retried chunk: what was stored the first time stays
        if not only_duplicate_keys(error):
            raise


async def riding_out(call, attempts: int = 30):
    """Retries a call the shared store failed (another helper's fault run restarts it): the
    benchmark waits, it does not measure the failure."""
    for attempt in range(attempts):
        try:
            return await call()
        except (PyMongoError, httpx.HTTPError):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(2)


class Query:
    """One report page: its HTTP request and the same query in raw PyMongo."""

    def __init__(self, path: str, spec, collection: str, filters: dict, sort: str | None = None, q: str | None = None,
                 segments=None, **params) -> None:
        self.path, self.spec, self.collection, self.segments = path, spec, collection, segments
        self.order = parse_sort(sort, spec)
        self.filter = criteria.all_of(criteria.matching(q), filters)
        self.params = {**params, **({"sort": sort} if sort else {}), **({"q": q} if q else {}), "limit": LIMIT}


def report_queries(today: date) -> dict[str, Query]:
    balances = partial(Query, "/v1/reports/account-balances", ACCOUNT_BALANCES, "accounts", {})
    queries = {"first page": balances(), "next page": balances(), "search": balances(q=SEARCH)}
    for name in ACCOUNT_BALANCES.columns:
        for sign in ("", "-"):
            if sign + name != ACCOUNT_BALANCES.default_sort:
                queries[f"sort {sign}{name}"] = balances(sort=sign + name)
    queries["clients with credit"] = Query("/v1/reports/clients-with-account-credit", CLIENTS_WITH_CREDIT, "accounts",
                                           criteria.with_credit(None, None, None))
    queries["session credits"] = Query("/v1/reports/session-credits-remaining", SESSION_CREDITS, "packages",
                                       criteria.packages_valid(None, None, None, False, None, Places({}, datetime.combine(today, datetime.min.time(), UTC))))
    return queries


BRAND_QUERIES = ("first page", "next page", "search", "sort -balance_minor")


async def raw_page(db, query: Query, locations: list[str] | None, after: list | None) -> list[dict]:
    """What a hand-written client sends for the same page: one find per location (at most 8 at
    once, as the service), merged; the brand as every location (as the service on FerretDB)."""
    found = criteria.all_of(query.filter, criteria.after_key(query.order, after))
    sort, limit = list(query.order.keys), asyncio.Semaphore(8)

    async def one(scope: dict) -> list[dict]:
        keys = [k for k in sort if k[0] not in scope]
        async with limit:
            return await db[query.collection].find({**scope, **found}).sort(keys).limit(LIMIT + 1).to_list()

    pages = await asyncio.gather(*(one(scope) for scope in criteria.scopes(BRAND if locations is None else locations)))
    return pages[0] if len(pages) == 1 else list(islice(heapq.merge(*pages, key=partial(rank, query.order)), LIMIT + 1))


async def paired(api, raw, samples: int, warm: bool = True) -> dict:
    """API and raw taken in turns, so a change in the machine's load falls on both alike."""
    if warm:  # the first call of a shape pays for connections (the brand's seconds-long scans need none)
        await _timed_once(api)
        await _timed_once(raw)
    api_s, raw_s = [], []
    for _ in range(samples):
        for fn, out in ((api, api_s), (raw, raw_s)):
            out.append(await _timed_once(fn))
    api_p, raw_p = summary(api_s), summary(raw_s)
    return {"api": api_p, "raw": raw_p, "api_over_raw": round(api_p["p50_ms"] / max(raw_p["p50_ms"], 0.1), 2)}


async def _timed_once(fn) -> float:
    """Seconds of one successful call (a call the store failed is retried, untimed)."""
    for _ in range(30):
        began = time.perf_counter()
        try:
            await fn()
            return time.perf_counter() - began
        except (PyMongoError, httpx.HTTPError):
            await asyncio.sleep(2)
    raise RuntimeError("the store kept failing")


async def timed(fn, samples: int) -> list[float]:
    return [await _timed_once(fn) for _ in range(samples)]


def summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1)}


async def measure_pages(http, db, samples: int, brand_samples: int) -> dict:
    results: dict[str, dict] = {}
    for scope_name, locations in SCOPES.items():
        results[scope_name] = {}
        for name, query in report_queries(date.today()).items():
            if locations is None and name not in BRAND_QUERIES:
                continue
            results[scope_name][name] = await measure_one(http, db, query, name, locations,
                                                          brand_samples if locations is None else samples)
            print(scope_name, name, results[scope_name][name], flush=True)
    results["one location"]["staff search box"] = await measure_search_box(http, db, samples)
    return results


async def get_ok(http, path: str, params: dict) -> httpx.Response:
    response = await http.get(path, params=params)
    return response.raise_for_status()


async def measure_one(http, db, query: Query, name: str, locations, samples: int) -> dict:
    params = {**query.params, **({"location": locations} if locations else {})}
    raw_after = None
    if name == "next page":
        first = (await riding_out(lambda: get_ok(http, query.path, params))).json()
        params["cursor"] = first["next_cursor"]
        raw_after = decode_cursor(first["next_cursor"], query.order)

    async def api():
        await get_ok(http, query.path, params)

    return await paired(api, lambda: raw_page(db, query, locations, raw_after), samples, warm=locations is not None)


async def measure_search_box(http, db, samples: int) -> dict:
    query = Query(f"/v1/locations/{ONE[0]}/clients", CLIENT_SEARCH, "clients", {}, q=SEARCH)
    params = {"q": SEARCH, "limit": LIMIT}

    async def api():
        await get_ok(http, query.path, params)

    async def raw():  # the page of clients, then their balances
        page = await raw_page(db, query, ONE, None)
        ids = [row["client_id"] for row in page[:LIMIT]]
        await db["accounts"].find({"location_id": ONE[0], "client_id": {"$in": ids}}).to_list()

    result = await paired(api, raw, samples)
    print("one location staff search box", result, flush=True)
    return result


async def measure_old_shapes(db) -> dict:
    """The shapes the issue measured, once each: what the flat, per-location shapes replaced."""
    order = [("client_id", 1), ("location_id", 1)]
    shapes = {
        "three locations as $in": {"location_id": {"$in": THREE}},
        "one location + search inside $and": {"$and": [{"location_id": ONE[0]}, criteria.matching(SEARCH)]},
    }
    out = {}
    for name, filter_ in shapes.items():
        seconds = await _timed_once(lambda: db["accounts"].find(filter_).sort(order).limit(LIMIT + 1).to_list())
        out[name] = round(seconds * 1000, 1)
    brand = report_queries(date.today())["first page"]
    scan = lambda: db["accounts"].find({}).sort(list(brand.order.keys)).limit(LIMIT + 1).to_list()  # noqa: E731
    out["brand as one query per location (raw)"] = summary(await timed(lambda: raw_page(db, brand, BRAND, None), 2))
    out["brand as one query (raw)"] = summary(await timed(scan, 2))
    print("old shapes", out, flush=True)
    return out


async def measure_csv(http, db) -> dict:
    """The brand's account balances as CSV through the API against a raw cursor + csv.writer."""
    rows, api_seconds = await riding_out(lambda: _api_csv(http))
    raw_rows, raw_seconds = await riding_out(lambda: _raw_csv(db))
    result = {"rows": rows, "raw_rows": raw_rows, "api_rows_per_s": round(rows / api_seconds),
              "raw_rows_per_s": round(raw_rows / raw_seconds),
              "api_over_raw": round((rows / api_seconds) / (raw_rows / raw_seconds), 2)}
    print("brand csv", result, flush=True)
    return result


async def _api_csv(http) -> tuple[int, float]:
    began, rows = time.perf_counter(), -1
    async with http.stream("GET", "/v1/reports/account-balances", params={"format": "csv"}) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            rows += 1 if line else 0
    return rows, time.perf_counter() - began


async def _raw_csv(db) -> tuple[int, float]:
    began, rows, buffer = time.perf_counter(), 0, io.StringIO()
    out = csv.writer(buffer)
    async for doc in db["accounts"].find({}).sort([("client_id", 1), ("location_id", 1)]).batch_size(500):
        out.writerow([doc.get(c) for c in CSV_COLUMNS])
        rows += 1
        if rows % 200 == 0:
            buffer.seek(0)
            buffer.truncate()
    return rows, time.perf_counter() - began


async def measure_size(db, rows: int, samples: int, brand_samples: int, env: dict, run: str,
                       in_process: bool = False) -> dict:
    token = {"Authorization": f"Bearer {mint_token(SECRET, 'bench', 'reporting', ['*'])}"}
    if in_process:
        return await _measure_in_process(db, rows, samples, brand_samples, env, token)
    port = harness.free_port()
    process = harness.start_service("reports", port, env, harness.RESULTS / f"reports-scale-{run}.log")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=900, headers=token) as http:
            measured = await _measure(http, db, rows, samples, brand_samples, lambda: harness.peak_rss_mb(process.pid))
    finally:
        process.terminate()
        process.wait(30)
    return measured


async def _measure_in_process(db, rows: int, samples: int, brand_samples: int, env: dict, token: dict) -> dict:
    """The reports app in this process through httpx's ASGI transport, its start-up hooks run but
    no broker (for when Kafka is down): the peak memory is this whole process's."""
    import os

    from services.reports.bootstrap import assemble
    from shared.wiring.service import create_app
    from shared.wiring.settings import Settings

    os.environ.update({**env, "MONGODB_URL": harness.MONGODB})
    assembled = []  # the service, for its start-up hooks

    def assemble_and_keep(wiring):
        assembled.append(assemble(wiring))
        return assembled[0]

    app = create_app(Settings(service_name="reports"), assemble_and_keep)
    for hook in assembled[0].on_start:
        await hook()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reports", timeout=900,
                                 headers=token) as http:
        return await _measure(http, db, rows, samples, brand_samples, lambda: harness.peak_rss_mb(os.getpid()))


async def _measure(http, db, rows: int, samples: int, brand_samples: int, peak_rss) -> dict:
    pages = await measure_pages(http, db, samples, brand_samples)
    old = await measure_old_shapes(db)
    before_csv = peak_rss()
    exported = await measure_csv(http, db)
    return {"rows": rows, "pages": pages, "old_shapes_ms": old, "csv_brand": exported,
            "service_peak_rss_mb_before_csv": round(before_csv, 1), "service_peak_rss_mb": round(peak_rss(), 1)}


def ratios(small: dict, large: dict) -> dict:
    one, three = large["pages"]["one location"], large["pages"]["three locations"]
    p50 = lambda entry, side="api": entry[side]["p50_ms"]  # noqa: E731
    growth = {name: round(p50(one[name]) / max(p50(small["pages"]["one location"][name]), 0.1), 2) for name in one}
    versus_first = {name: round(p50(one[name]) / p50(one["first page"]), 2) for name in one if name != "first page"}
    three_over_one = {name: round(p50(three[name]) / p50(one[name]), 2) for name in three}
    api_over_raw = {f"{scope}: {name}": entry["api_over_raw"] for scope, entries in large["pages"].items()
                    for name, entry in entries.items()}
    return {
        "one location at large / small (<= 1.5)": {"max": max(growth.values()), "each": growth},
        "next page, search, other sort / first page, one location (<= 1.5)": {"max": max(versus_first.values()),
                                                                               "each": versus_first},
        "three locations / one (<= 4)": {"max": max(three_over_one.values()), "each": three_over_one},
        "api / raw (<= 1.5)": {"max": max(api_over_raw.values()), "each": api_over_raw},
        "brand csv api / raw rows per s (>= 0.7)": {str(s["rows"]): s["csv_brand"]["api_over_raw"] for s in (small, large)},
        "service peak rss MB": {str(s["rows"]): s["service_peak_rss_mb"] for s in (small, large)},
    }


def markdown(result: dict) -> str:
    """The table of docs/reports-at-scale.md: p50 / p95 ms, API then raw, per scope and size."""
    small, large = result["measured"][0], result["measured"][-1]
    columns = [("one location", small), ("one location", large), ("three locations", large), ("brand", small),
               ("brand", large)]
    head = " | ".join(f"{scope} @{m['rows']:,} API | raw" for scope, m in columns)
    lines = [f"| query | {head} |", "|---|" + "---:|---:|" * len(columns)]
    for name in large["pages"]["one location"]:
        cells = []
        for scope, measured in columns:
            entry = measured["pages"][scope].get(name)
            cells += [_cell(entry["api"]), _cell(entry["raw"])] if entry else ["", ""]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(summary_: dict) -> str:
    return f"{summary_['p50_ms']:,.0f} / {summary_['p95_ms']:,.0f}"


async def main(sizes: list[int], samples: int, brand_samples: int, in_process: bool = False) -> dict:
    began = time.perf_counter()
    run = harness.run_id()
    prefix, database = f"benchscale{run}.", f"benchscale{run}_reports"
    if not in_process:
        await harness.prepare_topics()
        ends = await harness.end_offsets(list(SUBSCRIPTIONS.values()))
        for suffix, topic in SUBSCRIPTIONS.items():  # the service reads none of the topics' history
            await harness.commit_at(f"{prefix}reports.{suffix}", {tp: o for tp, o in ends.items() if tp.topic == topic})
    env = {"DATABASE_PREFIX": f"benchscale{run}", "CONSUMER_GROUP_PREFIX": prefix, "STAFF_JWT_SECRET": SECRET}
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    mongo = AsyncMongoClient(harness.MONGODB, tz_aware=True)
    db, loaded, measured = mongo[database], 0, []
    try:
        for rows in sizes:
            seconds = await load(db, loaded, rows)
            print(f"loaded rows {loaded}..{rows} (x3 collections) in {seconds:.0f}s", flush=True)
            loaded = rows
            measured.append({**await measure_size(db, rows, samples, brand_samples, env, run, in_process),
                             "load_seconds": round(seconds, 1)})
    finally:
        await mongo.drop_database(database)
        await mongo.close()
    result = {"sizes": sizes, "locations": LOCATIONS, "samples": samples, "brand_samples": brand_samples,
              "api": "in this process, httpx ASGI transport" if in_process else "the reports service as a process, "
                                                                                  "HTTP on 127.0.0.1",
              "store": harness.MONGODB,
              "run_seconds": round(time.perf_counter() - began, 1), "measured": measured,
              "ratios": ratios(measured[0], measured[-1]) if len(measured) > 1 else None}
    print(json.dumps(result["ratios"], indent=2))
    if len(measured) > 1:
        print(markdown(result))
    print(f"wrote {harness.save('reports_scale', result)}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="6,000 and 12,000 rows, 3 samples")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--samples", type=int, default=5, help="timed pages per query and scope, API and raw each")
    parser.add_argument("--in-process", action="store_true", help="the API in this process, no Kafka needed")
    parser.add_argument("--brand-samples", type=int, default=2, help="the same for the brand (a scan on FerretDB)")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.samples, args.brand_samples = [6_000, 12_000], 3, 2
    asyncio.run(main(args.sizes, args.samples, args.brand_samples, args.in_process))
