"""The notifier's own picture of a (location, client), built from events only.

Credits events are snapshots with a `sequence` (ledger) or per-package `version`, so only a
newer one changes the picture: a redelivery or replay leaves it as it was. The profile is folded
field by field (`shared.profiles`: each field keeps the latest event that set it), so an old
update redelivered late or one that overtakes its registration changes nothing it should not.
"""

from datetime import date

from shared import profiles
from shared.contract.clients import ClientRegistered, ClientUpdated

PROFILE_FIELDS = ("first_name", "last_name", "email", "email_opt_out")


def member_key(location_id: str, client_id: str) -> str:
    return f"{location_id}|{client_id}"


def new_member(location_id: str, client_id: str) -> dict:
    return {"_id": member_key(location_id, client_id), "location_id": location_id, "client_id": client_id,
            "profile": {}, "balance_minor": 0, "currency": None, "sequence": 0, "packages": [], "audiences": {}}


def with_profile(member: dict, changes: dict) -> dict:
    """The profile set as given, unstamped (older than any event): how tests and seeds place one."""
    kept = {f: v for f, v in changes.items() if f in PROFILE_FIELDS}
    return {**member, "profile": {**member["profile"], **kept}}


def with_profile_event(member: dict, event: ClientRegistered | ClientUpdated) -> dict:
    """The profile with the event folded in (a member stored before stamps: its values are older)."""
    return {**member, "profile": profiles.folded(member["profile"], event, PROFILE_FIELDS)}


def with_ledger_entry(member: dict, sequence: int, balance_minor: int, currency: str) -> dict:
    if sequence <= member["sequence"]:
        return member
    return {**member, "sequence": sequence, "balance_minor": balance_minor, "currency": currency}


def with_package(member: dict, package: dict) -> dict:
    """`package`: {package_id, version, remaining, expires_on (ISO date or None)}."""
    others = [p for p in member["packages"] if p["package_id"] != package["package_id"]]
    known = next((p for p in member["packages"] if p["package_id"] == package["package_id"]), None)
    if known is not None and known["version"] >= package["version"]:
        return member
    return {**member, "packages": sorted([*others, package], key=lambda p: p["package_id"])}


def package_remaining(total: int, consumed: int, holds: int) -> int:
    return max(total - consumed - holds, 0)


def facts(member: dict, today: date) -> dict:
    """The values audience conditions test."""
    usable = [p for p in member["packages"] if not _expired(p, today)]
    expiring = [date.fromisoformat(p["expires_on"]) for p in usable if p["expires_on"] and p["remaining"] > 0]
    return {
        "account_balance_minor": member["balance_minor"],
        "session_credits_remaining": sum(p["remaining"] for p in usable),
        "credits_expiring_within_days": (min(expiring) - today).days if expiring else None,
    }


def _expired(package: dict, today: date) -> bool:
    return package["expires_on"] is not None and date.fromisoformat(package["expires_on"]) < today


def full_name(profile: dict) -> str:
    return f"{profile.get('first_name') or ''} {profile.get('last_name') or ''}".strip()
