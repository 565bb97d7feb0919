"""Message templates: plain substitution of a fixed set of merge fields, nothing evaluated.

A placeholder is `{{ name }}`; any name outside MERGE_FIELDS (an expression, an attribute, a
typo) is refused when the template is created. Rendering is one pass of string replacement, so
a value that itself looks like a placeholder stays literal text.
"""

import re
from collections.abc import Callable

from services.notifier.domain.members import full_name

MERGE_FIELDS = ("first_name", "last_name", "full_name", "balance", "location_id")
LABELS = {"first_name": "First name", "last_name": "Last name", "full_name": "Full name",
          "balance": "Account balance (formatted, e.g. -$12.50)", "location_id": "Location"}
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def merge_field_list() -> list[dict[str, str]]:
    """The merge fields for a picker: name, label, and the placeholder to insert."""
    return [{"name": name, "label": LABELS[name], "placeholder": f"{{{{{name}}}}}"} for name in MERGE_FIELDS]


def unknown_fields(text: str) -> list[str]:
    return [m.strip() for m in PLACEHOLDER.findall(text) if m.strip() not in MERGE_FIELDS]


def render(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), text)


def render_subject(text: str, values: dict[str, str]) -> str:
    """A header is one line: line breaks in names could otherwise inject headers."""
    return " ".join(render(text, values).split())


def merge_values(member: dict, money: Callable[[int, str | None], str]) -> dict[str, str]:
    profile = member["profile"]
    return {
        "first_name": profile.get("first_name") or "",
        "last_name": profile.get("last_name") or "",
        "full_name": full_name(profile),
        "balance": money(member["balance_minor"], member["currency"]),
        "location_id": member["location_id"],
    }
