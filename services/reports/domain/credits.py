"""Package and membership rows built from `studio.credits.v1`, and their read-time categories."""

from datetime import date, datetime

from services.reports.domain.sort_keys import folded
from shared import periods
from shared.contract.credits import MembershipChanged, MembershipPeriodChanged, PackageChanged, StaffAdjustment


def package_row(event: PackageChanged) -> dict:
    held = [h.session_starts_at for h in event.holds]
    used = event.consumed + len(held)
    return {
        "location_id": event.location_id,
        "client_id": event.client_id,
        "package_id": event.package_id,
        "package_name": event.package_name,
        "sort_package_name": folded(event.package_name),
        "credits_purchased": event.credits_purchased,
        "credits_adjusted": event.credits_adjusted,
        "total": event.total,
        "consumed": event.consumed,
        "hold_starts": held,
        "credits_used": used,
        "credits_remaining": event.total - used,
        "starts_on": event.starts_on.isoformat(),
        "expires_on": event.expires_on.isoformat() if event.expires_on else None,
        "adjustments": adjustment_rows(event.adjustments),
    }


def adjustment_rows(adjustments: list[StaffAdjustment]) -> list[dict]:
    """Staff changes as the credits view lists them: once each (the event is a snapshot), oldest
    first, with the note and the actor."""
    unique = {a.adjustment_id: a for a in adjustments}
    return [a.model_dump(mode="json") for a in unique.values()]


def package_categories(row: dict, now: datetime, today: date) -> dict:
    """available / booked / used as staff see them now: a hold whose session started is used;
    `today` is the location's own, for the status."""
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
        "status": package_status(row["expires_on"], today),
        "adjustments": row.get("adjustments", []),
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
        "adjustments": adjustment_rows(event.adjustments),
    }


def membership_row(event: MembershipChanged) -> dict:
    return {
        "location_id": event.location_id,
        "client_id": event.client_id,
        "membership_id": event.membership_id,
        "membership_name": event.membership_name,
        "period": event.period,
        "credits_per_period": event.credits_per_period,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat() if event.ends_on else None,
    }


def memberships_view(period_rows: list[dict], memberships: list[dict], today: date) -> list[dict]:
    """Period rows grouped by membership, in date order, plus the period running `today` of every
    membership known from `membership.changed` that no credits event touched yet (0 / max)."""
    known = {m["membership_id"]: m for m in memberships}
    grouped: dict[str, dict] = {}
    for membership in memberships:
        _entry(grouped, membership)
    for row in period_rows:
        if _within(known.get(row["membership_id"]), row["period_key"]):
            _entry(grouped, row)["periods"].append({**{k: row[k] for k in PERIOD_FIELDS},
                                                    "adjustments": row.get("adjustments", [])})
    for membership in memberships:
        running = running_period(membership, period_rows, today)
        if running is not None:
            grouped[membership["membership_id"]]["periods"].append(running)
    for entry in grouped.values():
        entry["periods"].sort(key=lambda p: p["starts_on"])
    return [grouped[key] for key in sorted(grouped)]


PERIOD_FIELDS = ("starts_on", "ends_on", "used", "max", "period_key")


def running_period(membership: dict, period_rows: list[dict], today: date) -> dict | None:
    """The period holding `today` as 0 / `credits_per_period`, unless a period row already covers
    today or the natural period was moved away from it by staff (then today is in no period)."""
    starts_on, ends_on = date.fromisoformat(membership["starts_on"]), _day(membership["ends_on"])
    if today < starts_on or (ends_on is not None and today > ends_on):
        return None
    mine = [r for r in period_rows if r["membership_id"] == membership["membership_id"]
            and _within(membership, r["period_key"])]
    key = periods.start_containing(starts_on, membership["period"], today).isoformat()
    if any(r["starts_on"] <= today.isoformat() <= r["ends_on"] or r["period_key"] == key for r in mine):
        return None
    end = periods.natural_end(starts_on, membership["period"], date.fromisoformat(key), ends_on)
    return {"starts_on": key, "ends_on": end.isoformat(), "used": 0, "max": membership["credits_per_period"],
            "period_key": key, "adjustments": []}


def _entry(grouped: dict[str, dict], row: dict) -> dict:
    return grouped.setdefault(row["membership_id"], {
        "membership_id": row["membership_id"], "membership_name": row["membership_name"], "periods": []
    })


def _within(membership: dict | None, period_key: str) -> bool:
    """A period starting after the membership ended is not one of its periods any more."""
    return membership is None or membership["ends_on"] is None or period_key <= membership["ends_on"]


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
