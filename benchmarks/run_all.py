"""`make bench`: every benchmark, one after another, on the real servers.

Results land in benchmarks/results/*.json. Sizes follow the issues; pass --quick for a smoke run.
"""

import argparse
import asyncio

from benchmarks import (bookings_stage, credits_throughput, e2e, reports_freshness, reports_queries, reports_scale,
                        store_lookups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    asyncio.run(store_lookups.main(sizes=sorted({1_000, 10_000 // scale, 30_000 // scale}), lookups=200 // scale))
    asyncio.run(credits_throughput.main(clients=10_000 // scale, locations=20, events=100_000 // scale))
    asyncio.run(bookings_stage.main(clients=10_000 // scale, locations=20, events=100_000 // scale, rate=200,
                                    seconds=30 // (3 if args.quick else 1)))
    asyncio.run(reports_queries.main(rows=20_000 // scale, locations=100, samples=3))
    asyncio.run(reports_scale.main(sizes=[6_000, 12_000] if args.quick else [10_000, 100_000],
                                   samples=3 if args.quick else 5, brand_samples=2))
    asyncio.run(reports_freshness.main(clients=1_000, locations=10, rate=200, seconds=30 // (3 if args.quick else 1),
                                       sample_every=20))
    asyncio.run(e2e.main(clients=10_000 // scale, locations=20, events=100_000 // scale, rate=500,
                         seconds=60 // (6 if args.quick else 1)))


if __name__ == "__main__":
    main()
