"""Package and membership rows built from `studio.credits.v1`, and their read-time categories."""

from datetime import date, datetime

from shared.contract.credits import MembershipPeriodChanged, PackageChanged


def package_row(event: PackageChanged) -> dict:
    held = [h.session_starts_at for h in event.holds]
    used = event.consumed + len(held)
    return {
        "location_id": event.location_id,
        "client_id": event.client_id,
        "package_id": event.package_id,
        "package_name": event.package_name,
        "credits_purchased": event.credits_purchased,
        "credits_adjusted": event.credits_adjusted,
        "total": event.total,
        "consumed": event.consumed,
        "hold_starts": held,
        "credits_used": used,
        "credits_remaining": event.total - used,
        "starts_on": event.starts_on.isoformat(),
        "expires_on": event.expires_on.isoformat() if event.expires_on else None,
    }


def package_categories(row: dict, now: datetime) -> dict:
    """available / booked / used as staff see them now: a hold whose session started is used."""
    booked = sum(1 for start in row["hold_starts"] if _aware(start) > now)
    used = row["consumed"] + len(row["hold_starts"]) - booked
    return {
        "package_id": row["package_id"],
        "package_name": row["package_name"],
        "total": row["total"],
        "available": row["total"] - booked - used,
        "booked": booked,
        "used": used,
        "starts_on": row["starts_on"],
        "expires_on": row["expires_on"],
        "status": package_status(row["expires_on"], now.date()),
    }


def package_status(expires_on: str | None, today: date) -> str:
    return "expired" if expires_on is not None and expires_on < today.isoformat() else "active"


def period_row(event: MembershipPeriodChanged) -> dict:
    return {
        "location_id": event.location_id,
        "client_id": event.client_id,
        "membership_id": event.membership_id,
        "membership_name": event.membership_name,
        "period_key": event.period_key.isoformat(),
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "used": event.used,
        "max": event.max,
    }


def memberships_view(periods: list[dict]) -> list[dict]:
    """Group period rows by membership, periods in date order."""
    grouped: dict[str, dict] = {}
    for row in sorted(periods, key=lambda r: (r["membership_id"], r["starts_on"])):
        entry = grouped.setdefault(row["membership_id"], {
            "membership_id": row["membership_id"], "membership_name": row["membership_name"], "periods": []
        })
        entry["periods"].append({k: row[k] for k in ("starts_on", "ends_on", "used", "max", "period_key")})
    return list(grouped.values())


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
