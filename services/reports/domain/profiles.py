"""Client profiles as the reports show them, built from `studio.clients.v1`."""

from services.reports.domain.search import search_text
from services.reports.domain.sort_keys import folded_copies
from shared.contract.clients import ClientRegistered, ClientUpdated


def profile_changes(event: ClientRegistered | ClientUpdated) -> dict:
    """The profile fields this event sets (a registration sets all; an update what it changes:
    `null` clears email or phone and leaves the other fields as they were)."""
    changes = event.profile_changes()
    if "join_date" in changes:
        changes["join_date"] = changes["join_date"].isoformat()
    return changes


def with_full_name(profile: dict) -> dict:
    """The searchable, sortable, denormalised name fields every report row carries."""
    first, last = profile.get("first_name") or "", profile.get("last_name") or ""
    full = f"{first} {last}".strip()
    named = {**{f: profile.get(f) for f in ("first_name", "last_name", "email")}, "full_name": full}
    return {**profile, "full_name": full, **folded_copies(named), "search": search_text({**profile, "full_name": full})}
