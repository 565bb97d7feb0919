"""What a client costs the credits service's version log, before and after compaction.

    python -m benchmarks.storage_per_client [--clients 200 --events 50]

Writes `--events` changes to each of `--clients` credits aggregates in the store the services
use (one package purchase, then payments, charges and credits that expire), one event per
client per batch as under a live load, through the real CreditsStore. Then measures the log as
main keeps it (every version) and again after the clock moved past the retention and one
compaction pass: documents and BSON bytes per client, the bytes of one latest version (the
state a client really costs), the documents the expiry sweeper's filter makes FerretDB hand to
Go (before: every version, the `$lte` range was not pushed down; now: those with
`expiring_credit: true`), and what the pass cost (its commands and seconds).
Prints the numbers and writes benchmarks/results/storage_per_client.json.
"""

import argparse
import asyncio
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import bson
from pymongo import AsyncMongoClient, monitoring

from benchmarks import harness
from services.credits.service_layer.handlers import CreditsHandlers
from services.credits.adapters.store import CreditsStore
from shared.contract.sales import AccountTransaction, PackagePurchased
from shared.wiring.clock import ManualClock
from shared.aggregates.compaction import Retention
from shared.wiring.locations import LocationBook
from shared.wiring.settings import Settings

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.sent: Counter = Counter()

    def started(self, event) -> None:
        self.sent[event.command_name] += 1

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


def change(round_: int, client: str, at: datetime):
    common = {"event_id": f"{client}-{round_}", "occurred_at": at, "location_id": "l-1", "client_id": client}
    if round_ == 0:
        return PackagePurchased(**common, package_id="p-1", package_name="10 Class Pack", credits=10,
                                starts_on=date(2026, 5, 1), expires_on=date(2026, 12, 31))
    kind = ("payment", "charge", "credit")[round_ % 3]
    expiry = {"credit_expires_on": date(2026, 9, 30) + timedelta(days=round_)} if kind == "credit" else {}
    return AccountTransaction(**common, transaction_id=f"tx-{client}-{round_}", kind=kind,
                              amount_minor=1000 + round_, currency="USD", **expiry)


async def measure(db) -> dict:
    log = db["client_credits"]
    docs = await log.find().to_list()
    clients = {d["key"] for d in docs}
    latest = {}
    for doc in docs:
        if doc["version"] > latest.get(doc["key"], {"version": 0})["version"]:
            latest[doc["key"]] = doc
    size = sum(len(bson.encode(d)) for d in docs)
    return {"documents": len(docs), "documents_per_client": round(len(docs) / len(clients), 2),
            "bytes_per_client": round(size / len(clients)),
            "latest_version_bytes": round(sum(len(bson.encode(d)) for d in latest.values()) / len(latest)),
            "sweeper_documents_handed_to_go_before": len(docs),  # `next_credit_expiry_on $lte`: not pushed
            "sweeper_documents_handed_to_go_now": await log.count_documents({"expiring_credit": True})}


async def main(clients: int, events: int) -> dict:
    commands = Commands()
    mongo = AsyncMongoClient(Settings().mongodb_url, tz_aware=True, event_listeners=[commands])
    db = mongo[f"bench{harness.run_id()}_storage"]
    clock = ManualClock(T0)
    try:
        store = CreditsStore(db, _ignore, clock.now)
        await store.ensure_indexes()
        handlers = CreditsHandlers(store, clock, LocationBook(db["locations"]))
        names = [f"c-{n:05d}" for n in range(clients)]
        for round_ in range(events):
            clock.set(T0 + timedelta(seconds=round_))
            await handlers.apply_batch([change(round_, name, clock.now()) for name in names])
        before = await measure(db)
        clock.set(clock.now() + Retention().keep_superseded + timedelta(seconds=1))
        commands.sent.clear()
        began = time.perf_counter()
        deleted = await store.aggregates.compactor.compact()
        seconds, pass_commands = time.perf_counter() - began, dict(commands.sent)
        result = {"clients": clients, "events_per_client": events, "every_version_kept": before,
                  "after_compaction": await measure(db),
                  "compaction_pass": {"versions_deleted": deleted, "seconds": round(seconds, 2),
                                      "commands": pass_commands}}
    finally:
        await mongo.drop_database(db.name)
        await mongo.close()
    print(result)
    print(f"wrote {harness.save('storage_per_client', result)}")
    return result


async def _ignore(events: list[dict]) -> None:
    pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--events", type=int, default=50, help="changes per client")
    args = parser.parse_args()
    asyncio.run(main(args.clients, args.events))
