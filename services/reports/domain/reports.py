"""What each list report shows: its columns, default order and tie-breaks."""

from dataclasses import dataclass, field

from services.reports.domain.credits import package_status
from services.reports.domain.locations import Places
from services.reports.domain.sort_keys import SORTED_FOLDED, sort_field


@dataclass(frozen=True)
class ReportSpec:
    name: str
    columns: tuple[str, ...]
    default_sort: str
    tiebreak: tuple[str, ...]
    # Shown but computed at read time: sorted on by one query per value (see `ordering.segments_after`).
    # `location_name` is joined in from the locations when read, so a rename is one write.
    computed: frozenset[str] = field(default_factory=lambda: frozenset({"location_name"}))
    sorts: tuple[str, ...] | None = None  # the columns it sorts by; None: every column

    def sortable(self, name: str) -> bool:
        return name in (self.columns if self.sorts is None else self.sorts)

    def stored(self, name: str) -> str:
        """The document field a sort on `name` uses: names sort by their case-folded copy."""
        return sort_field(name) if name in SORTED_FOLDED else name


CLIENTS_WITH_CREDIT = ReportSpec(
    name="clients-with-account-credit",
    columns=("location_id", "location_name", "client_id", "full_name", "first_name", "last_name", "email", "phone",
             "account_credit_balance_minor", "currency", "join_date"),
    default_sort="-account_credit_balance_minor",
    tiebreak=("client_id", "location_id"),
)

SESSION_CREDITS = ReportSpec(
    name="session-credits-remaining",
    columns=("location_id", "location_name", "client_id", "full_name", "email", "package_id", "package_name",
             "credits_purchased", "credits_adjusted", "credits_used", "credits_remaining",
             "starts_on", "expires_on", "status"),
    default_sort="client_id",
    tiebreak=("client_id", "location_id", "package_id"),
    computed=frozenset({"status", "location_name"}),
)

ACCOUNT_BALANCES = ReportSpec(
    name="account-balances",
    columns=("location_id", "location_name", "client_id", "full_name", "email", "balance_minor", "currency",
             "last_activity_at"),
    default_sort="client_id",
    tiebreak=("client_id", "location_id"),
)

CLIENT_SEARCH = ReportSpec(
    name="clients",
    columns=("client_id", "full_name", "first_name", "last_name", "email", "phone", "join_date",
             "balance_minor", "currency"),
    default_sort="full_name",
    tiebreak=("client_id",),
    sorts=("full_name",),
)

BALANCE_MOVEMENTS = ReportSpec(
    name="balance-movements",
    columns=("location_id", "location_name", "currency", "opening_minor", "payment_minor", "charge_minor",
             "refund_minor",
             "credit_minor", "manual_adjustment_minor", "credit_expired_minor", "closing_minor"),
    default_sort="location_id",
    tiebreak=("location_id", "currency"),
)


def present(spec: ReportSpec, document: dict, places: Places) -> dict:
    """A stored document as the report's row (only its columns, computed ones filled in: the
    location's name, and the status judged on the location's today)."""
    row = {name: document.get(name) for name in spec.columns}
    if "location_name" in row:
        row["location_name"] = places.name(document.get("location_id"))
    if "status" in row:
        row["status"] = package_status(document.get("expires_on"), places.today(document.get("location_id")))
    return row
