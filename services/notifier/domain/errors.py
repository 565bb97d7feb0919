"""Rules a staff request can break; each names the field at fault."""

from shared.rules import InvalidInput

InvalidField = InvalidInput  # the notifier's name for it


class UnknownMergeField(InvalidField):
    def __init__(self, field: str, names: list[str]) -> None:
        super().__init__(field, f"unknown merge field(s) {', '.join(sorted(set(names)))}")


class UnknownReference(InvalidField):
    def __init__(self, field: str, id_: str) -> None:
        super().__init__(field, f"no such {field.removesuffix('_id')} {id_!r}")
