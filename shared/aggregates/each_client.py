"""An inbound batch, client by client: what every service's batch handler does the same way."""

from collections import defaultdict
from collections.abc import Callable, Iterable

from shared.contract.envelope import Event
from shared.rules import RuleViolation

Refused = list[tuple[Event, RuleViolation]]


def by_client(events: Iterable[Event]) -> dict[tuple[str, str], list[Event]]:
    """The events of each (location, client), in the order they came."""
    grouped: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in events:
        grouped[(event.location_id, event.client_id)].append(event)
    return grouped


def in_order(events: list[Event], apply: Callable[[Event], object]) -> Refused:
    """Apply each event in turn; one that breaks a rule is set aside (the aggregates change a
    draft, so it leaves no trace) and the rest still apply."""
    refused: Refused = []
    for event in events:
        try:
            apply(event)
        except RuleViolation as error:
            refused.append((event, error))
    return refused
