"""Case-insensitive sorts: FerretDB v1 has no collation, so each text column a report sorts by
has a case-folded copy, `sort_<name>`, stored in the row by the projection (FerretDB sorts in Go,
so any stored field sorts; MongoDB too)."""

SORTED_FOLDED = ("full_name", "first_name", "last_name", "email", "package_name")


def sort_field(name: str) -> str:
    return f"sort_{name}"


def folded(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


def folded_copies(row: dict) -> dict:
    """`sort_<name>` for each folded-sort column `row` carries."""
    return {sort_field(name): folded(row[name]) for name in SORTED_FOLDED if name in row}
