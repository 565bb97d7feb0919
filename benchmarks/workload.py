"""A realistic mix of inbound events for many clients, as the platform would publish them."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from shared.contract.topics import BOOKINGS, CLIENTS, SALES


def _env(type_: str, location: str, client: str, when: datetime, **fields) -> dict:
    return {"event_id": uuid.uuid4().hex, "type": type_, "occurred_at": when.isoformat(), "location_id": location,
            "client_id": client, **fields}


def client_events(rnd: random.Random, location: str, client: str, today: date, per_client: int,
                  checkins: bool = False) -> list[tuple[str, dict]]:
    """About `per_client` events: a sale, bookings and what became of them (some check-ins
    instead of bookings when `checkins`), money."""
    at = datetime.now(UTC)
    events = [(CLIENTS.name, _env("client.registered", location, client, at, first_name="Sam", last_name=client,
                                  email=f"{client}@example.com", join_date=today.isoformat()))]
    if rnd.random() < 0.7:
        events.append((SALES.name, _env("package.purchased", location, client, at, package_id=f"p-{client}",
                                        package_name="10 Class Pack", credits=rnd.choice([5, 10, 20]),
                                        starts_on=(today - timedelta(days=10)).isoformat(),
                                        expires_on=(today + timedelta(days=120)).isoformat())))
    else:
        events.append((SALES.name, _env("membership.started", location, client, at, membership_id=f"m-{client}",
                                        membership_name="8 a Month", period="month",
                                        credits_per_period=rnd.choice([8, None]),
                                        starts_on=(today - timedelta(days=10)).isoformat(), ends_on=None)))
    n = 0
    while len(events) < per_client - 1:  # the registration is not counted: credits never reads it
        booking = f"b-{client}-{n}"
        start = datetime.combine(today, datetime.min.time(), UTC) + timedelta(days=rnd.randint(1, 40), hours=9)
        if checkins and rnd.random() < 0.15:  # an open-gym visit: no booking, one credit at the door
            events.append((BOOKINGS.name, _env("checkin.recorded", location, client, at, checkin_id=f"ci-{client}-{n}",
                                               at=at.isoformat())))
            n += 1
            continue
        events.append((BOOKINGS.name, _env("booking.created", location, client, at, booking_id=booking,
                                           session_id=f"s-{n}", session_name="Yoga", session_starts_at=start.isoformat())))
        ending = rnd.choice(["cancelled", "late", "attended", "no_show", None])
        if ending in ("cancelled", "late"):
            events.append((BOOKINGS.name, _env("booking.cancelled", location, client, at, booking_id=booking,
                                               late=ending == "late")))
        elif ending:
            events.append((BOOKINGS.name, _env(f"booking.{ending}", location, client, at, booking_id=booking)))
        n += 1
    for i, (kind, amount) in enumerate([("charge", -rnd.choice([1500, 2500])), ("payment", rnd.choice([1500, 3000]))]):
        events.append((SALES.name, _env("account.transaction", location, client, at, transaction_id=f"t-{client}-{i}",
                                        kind=kind, amount_minor=amount, currency="USD")))
    return events


def workload(clients: int, locations: int, events: int, seed: int = 7, checkins: bool = False) -> list[tuple[str, dict]]:
    rnd, today = random.Random(seed), datetime.now(UTC).date()
    per_client = max(4, events // clients + 1)
    out = []
    for n in range(clients):
        out += client_events(rnd, f"loc-{n % locations:02d}", f"c{n:06d}", today, per_client, checkins)
    return out
