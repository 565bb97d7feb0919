"""Inbound events as another platform service would publish them: plain JSON dicts."""

import uuid
from datetime import UTC, datetime


def _envelope(type_: str, location_id: str, client_id: str, occurred_at: str | None = None) -> dict:
    return {
        "event_id": f"ev-{uuid.uuid4().hex}",
        "type": type_,
        "occurred_at": occurred_at or datetime.now(UTC).isoformat(),
        "location_id": location_id,
        "client_id": client_id,
    }


def location_registered(location_id: str, name: str = "Downtown", time_zone: str = "America/New_York",
                        **fields) -> dict:
    """A location event: the envelope without client_id (the Kafka key is the location_id)."""
    envelope = _envelope("location.registered", location_id, "")
    envelope.pop("client_id")
    return {**envelope, "name": name, "time_zone": time_zone, **fields}


def location_updated(location_id: str, **fields) -> dict:
    envelope = _envelope("location.updated", location_id, "")
    envelope.pop("client_id")
    return {**envelope, **fields}


def client_registered(location_id: str, client_id: str, **fields) -> dict:
    return {**_envelope("client.registered", location_id, client_id), "first_name": "Ada", "last_name": "Lovelace",
            "email": f"{client_id}@example.com", "phone": "+44 20 7946 0000", "join_date": "2026-01-15",
            "email_opt_out": False, **fields}


def package_purchased(location_id: str, client_id: str, package_id: str, credits: int = 10, **fields) -> dict:
    return {**_envelope("package.purchased", location_id, client_id), "package_id": package_id,
            "package_name": f"{credits} class pack", "credits": credits, "starts_on": "2026-01-01",
            "expires_on": "2027-12-31", **fields}


def membership_started(location_id: str, client_id: str, membership_id: str, **fields) -> dict:
    return {**_envelope("membership.started", location_id, client_id), "membership_id": membership_id,
            "membership_name": "8 a month", "period": "month", "credits_per_period": 8,
            "starts_on": "2026-11-01", "ends_on": None, **fields}


def account_transaction(location_id: str, client_id: str, kind: str, amount_minor: int, **fields) -> dict:
    return {**_envelope("account.transaction", location_id, client_id), "transaction_id": f"tx-{uuid.uuid4().hex[:12]}",
            "kind": kind, "amount_minor": amount_minor, "currency": "USD", **fields}


def booking_created(location_id: str, client_id: str, booking_id: str, starts_at: str, **fields) -> dict:
    return {**_envelope("booking.created", location_id, client_id), "booking_id": booking_id,
            "session_id": "yoga-0900", "session_name": "Morning Yoga", "session_starts_at": starts_at, **fields}


def booking_cancelled(location_id: str, client_id: str, booking_id: str, late: bool) -> dict:
    return {**_envelope("booking.cancelled", location_id, client_id), "booking_id": booking_id, "late": late}


def booking_fact(type_: str, location_id: str, client_id: str, booking_id: str) -> dict:
    return {**_envelope(type_, location_id, client_id), "booking_id": booking_id}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
