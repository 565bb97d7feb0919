"""Client profiles as the reports show them, built from `studio.clients.v1` by the one profile fold
(`shared.profiles`: each field keeps the value of the latest event that set it)."""

from services.reports.domain.search import search_text
from services.reports.domain.sort_keys import folded_copies
from shared import profiles
from shared.contract.clients import PROFILE_FIELDS


def stored_profile(stored: dict, folded: dict) -> dict:
    """The client's row once a batch's fold of its events (`folded`) is merged into the stored one
    (a row stored before stamps were kept: its values are older than any event)."""
    return with_full_name(profiles.combined(stored, folded))


def profile_fields(profile: dict) -> dict:
    """What a client's row stores of its profile: the fields set so far and their stamps."""
    return {**{f: profile[f] for f in PROFILE_FIELDS if f in profile}, "stamps": profile.get("stamps") or {}}


def with_full_name(profile: dict) -> dict:
    """The searchable, sortable, denormalised name fields every report row carries."""
    first, last = profile.get("first_name") or "", profile.get("last_name") or ""
    full = f"{first} {last}".strip()
    named = {**{f: profile.get(f) for f in ("first_name", "last_name", "email")}, "full_name": full}
    return {**profile, "full_name": full, **folded_copies(named), "search": search_text({**profile, "full_name": full})}
