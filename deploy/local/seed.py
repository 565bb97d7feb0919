"""Seed a demo brand through Kafka, as the platform's other services would.

Two locations with names in two zones far apart (Los Angeles and Sydney: every date rule runs
in each studio's own day), 50 clients, packs, memberships, bookings (some cancelled, attended,
no-shows), payments and charges: some clients owe the studio, some hold credit. Every id is
derived from the location's or client's number, so seeding twice publishes the same event ids and
changes nothing.

    python -m deploy.local.seed [--clients 50]
"""

import argparse
import asyncio
import json
import random
from datetime import UTC, date, datetime, timedelta

from aiokafka import AIOKafkaProducer

from shared.contract.topics import BOOKINGS, CLIENTS, LOCATIONS, SALES
from shared.wiring.settings import Settings

LOCATIONS_SEEDED = [("studio-1", "Sunset Boulevard Studio", "America/Los_Angeles"),
                    ("studio-2", "Bondi Beach Studio", "Australia/Sydney")]
FIRST = ["Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald", "Frances", "Linus", "Margaret"]
LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen", "Torvalds", "Hamilton"]


def _event(type_: str, n: int, i: int, location: str, client: str, at: datetime, **fields) -> dict:
    return {"event_id": f"seed-{client}-{type_}-{i}", "type": type_, "occurred_at": at.isoformat(),
            "location_id": location, "client_id": client, **fields}


def location_events(now: datetime) -> list[tuple[str, dict]]:
    """The studios, registered long before their clients (keyed by location_id, no client_id)."""
    at = (now - timedelta(days=365)).replace(hour=0, minute=0, second=0, microsecond=0)
    return [(LOCATIONS.name, {"event_id": f"seed-{location}-registered", "type": "location.registered",
                              "occurred_at": at.isoformat(), "location_id": location, "name": name,
                              "time_zone": zone})
            for location, name, zone in LOCATIONS_SEEDED]


def _front_desk_email(n: int, first: str, last: str) -> str | None:
    """Emails as front desks type them: a few missing, reserved, padded or not an address at all
    (kept as given; the notifier judges them when it sends)."""
    if n % 17 == 0:
        return None
    messy = {5: f"{first}@studio.local", 7: f" {first}.{last}@example.test ", 11: f"{first} at gmail"}
    return messy.get(n % 23, f"{first}.{last}{n}@example.com".lower())


def client_story(n: int, today: date) -> list[tuple[str, dict]]:
    """One client's events, in order: registration, a sale, bookings, money."""
    rnd = random.Random(n)
    location, client = f"studio-{n % 2 + 1}", f"client-{n:03d}"
    at = datetime.combine(today, datetime.min.time(), UTC) - timedelta(days=60 - n)
    first, last = FIRST[n % 10], LAST[(n // 10) % 10]
    story = [(CLIENTS.name, _event("client.registered", n, 0, location, client, at, first_name=first,
                                   last_name=last, email=_front_desk_email(n, first, last),
                                   phone=f"+1 555 01{n:02d}", join_date=(today - timedelta(days=400 - n * 5)).isoformat(),
                                   email_opt_out=n % 13 == 0))]
    if n % 3 != 2:
        story.append((SALES.name, _event("package.purchased", n, 1, location, client, at, package_id=f"pack-{client}",
                                         package_name="10 Class Pack", credits=10, starts_on=(today - timedelta(days=30)).isoformat(),
                                         expires_on=(today + timedelta(days=rnd.choice([5, 20, 90, 180]))).isoformat())))
    else:
        story.append((SALES.name, _event("membership.started", n, 1, location, client, at, membership_id=f"mem-{client}",
                                         membership_name="8 Classes a Month" if n % 2 else "Unlimited", period="month",
                                         credits_per_period=8 if n % 2 else None,
                                         starts_on=(today - timedelta(days=20)).isoformat(), ends_on=None)))
    story += _bookings(n, rnd, location, client, at, today)
    story += _money(n, rnd, location, client, at, today)
    return story


def _bookings(n, rnd, location, client, at, today) -> list[tuple[str, dict]]:
    events = []
    for b in range(rnd.randint(1, 4)):
        booking = f"bk-{client}-{b}"
        starts = datetime.combine(today, datetime.min.time(), UTC) + timedelta(days=rnd.randint(-10, 14), hours=9)
        events.append((BOOKINGS.name, _event("booking.created", n, 10 + b, location, client, at, booking_id=booking,
                                             session_id=f"yoga-{b}", session_name="Morning Yoga",
                                             session_starts_at=starts.isoformat())))
        outcome = rnd.choice(["keep", "cancel", "late", "attend", "no_show"]) if starts.date() < today else rnd.choice(["keep", "cancel"])
        if outcome in ("cancel", "late"):
            events.append((BOOKINGS.name, _event("booking.cancelled", n, 20 + b, location, client, at, booking_id=booking, late=outcome == "late")))
        elif outcome in ("attend", "no_show"):
            kind = "booking.attended" if outcome == "attend" else "booking.no_show"
            events.append((BOOKINGS.name, _event(kind, n, 20 + b, location, client, at, booking_id=booking)))
    return events


def _money(n, rnd, location, client, at, today) -> list[tuple[str, dict]]:
    def tx(i, kind, amount, **extra):
        return (SALES.name, _event("account.transaction", n, 40 + i, location, client, at, transaction_id=f"tx-{client}-{i}",
                                   kind=kind, amount_minor=amount, currency="USD", **extra))

    charge = rnd.choice([1500, 2500, 12000])
    events = [tx(0, "charge", -charge, note="Class pack")]
    if n % 4 == 0:
        events.append(tx(1, "payment", charge + rnd.choice([1000, 2500]), note="Paid with card"))
    elif n % 4 == 1:
        events.append(tx(1, "payment", charge, note="Paid with card"))
    if n % 5 == 0:
        events.append(tx(2, "credit", 2000, note="Goodwill credit",
                         credit_expires_on=(today + timedelta(days=30)).isoformat()))
    return events


async def seed(bootstrap: str, clients: int) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        today, count = datetime.now(UTC).date(), 0
        for topic, event in location_events(datetime.now(UTC)):
            await producer.send(topic, json.dumps(event).encode(), key=event["location_id"].encode())
            count += 1
        for n in range(clients):
            for topic, event in client_story(n, today):
                await producer.send(topic, json.dumps(event).encode(), key=event["client_id"].encode())
                count += 1
        await producer.flush()
    finally:
        await producer.stop()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    count = asyncio.run(seed(Settings().kafka_bootstrap_servers, args.clients))
    places = " and ".join(f"{location} ({name}, {zone})" for location, name, zone in LOCATIONS_SEEDED)
    print(f"seeded {count} events for {args.clients} clients in {places}")


if __name__ == "__main__":
    main()
