"""The MongoDB indexes the reports need, derived from the reports themselves.

For each report, each column it sorts by and each direction, a page is a filter, that sort and a
limit, for one location (`location_id` equality first) or for the brand (no location). The index
whose keys are the sort (after the location, for one location) serves it without a blocking sort;
the other conditions are checked on the index's rows as they come. Ties always ascend, so a
descending sort needs its own index (the reverse of `(f: 1, client_id: 1)` is `(f: -1,
client_id: -1)`, not `(f: -1, client_id: 1)`). A new column is a new sort, and its indexes follow.

FerretDB v1 uses none of these (it sorts in Go): they are made on MongoDB only.
"""

from services.reports.domain.ordering import ASCENDING, Order, parse_sort
from services.reports.domain.reports import (ACCOUNT_BALANCES, CLIENT_SEARCH, CLIENTS_WITH_CREDIT, SESSION_CREDITS,
                                             ReportSpec)

Keys = tuple[tuple[str, int], ...]

REPORTS = {"accounts": (CLIENTS_WITH_CREDIT, ACCOUNT_BALANCES), "packages": (SESSION_CREDITS,),
           "clients": (CLIENT_SEARCH,)}
# balance movements: sums over a date range, per location or for the brand
ENTRIES = ((("location_id", ASCENDING), ("at", ASCENDING)), (("at", ASCENDING),))


def report_orders(spec: ReportSpec) -> list[Order]:
    """Every order a page of `spec` is read in (a computed column reads each value in its tie-break order)."""
    orders = []
    for name in (c for c in spec.columns if spec.sortable(c)):
        for sign in ("", "-"):
            order = parse_sort(sign + name, spec)
            orders.append(order.rest if name in spec.computed else order)
    return orders


def index_keys(order: Order, one_location: bool) -> Keys:
    """The index serving `order`: a field once, `location_id` first when it is an equality."""
    keys = ((("location_id", ASCENDING),) if one_location else ()) + order.keys
    first = {}
    for name, direction in keys:
        first.setdefault(name, direction)
    return _canonical(tuple(first.items()))


def _canonical(keys: Keys) -> Keys:
    """An index read backwards serves the reversed order: keep one of the two."""
    return keys if keys[0][1] == ASCENDING else tuple((n, -d) for n, d in keys)


def collection_indexes(collection: str) -> list[Keys]:
    """Each index `collection` needs for its reports' pages, in a stable order, once."""
    wanted = [index_keys(order, one) for spec in REPORTS[collection] for order in report_orders(spec)
              for one in (True, False)]
    return list(dict.fromkeys(wanted))
