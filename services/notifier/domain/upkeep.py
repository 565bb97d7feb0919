"""Folding a batch of events into members, and which members time alone may move.

Each event is judged on its own, in order, against every audience, so a batch gives the same
transitions (and the same derived event ids) however the records were split into batches.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.notifier.domain.conditions import Audience
from services.notifier.domain.membership import Transition, reevaluate

Change = Callable[[dict], dict]  # member -> member with one event applied (pure)

TIME_FIELDS = ("credits_expiring_within_days", "session_credits_remaining")


@dataclass
class Folded:
    member: dict
    transitions: list[Transition] = field(default_factory=list)


def fold(member: dict, changes: Iterable[tuple[Change, datetime]], audiences: list[Audience], today: date,
         rejudge_at: datetime | None = None) -> Folded:
    """Apply each (change, occurred_at) and judge the member after every change that changed it.

    A change that leaves the member as it was (a redelivery, an older snapshot) judges nothing;
    `rejudge_at` judges once more at the end (a new audience, time passing)."""
    folded = Folded(member)
    for change, at in changes:
        changed = change(folded.member)
        if changed != folded.member:
            _judge(folded, changed, audiences, today, at)
    if rejudge_at is not None:
        _judge(folded, folded.member, audiences, today, rejudge_at)
    return folded


def _judge(folded: Folded, member: dict, audiences: list[Audience], today: date, at: datetime) -> None:
    folded.member, transitions = reevaluate(member, audiences, today, at)
    folded.transitions += transitions


def expiry_dates(member: dict) -> tuple[str, ...]:
    """The ISO dates on which the member's packages expire: the only dates time changes its facts."""
    return tuple(sorted({p["expires_on"] for p in member["packages"] if p.get("expires_on")}))


def time_horizon(audiences: list[Audience]) -> int | None:
    """How many days ahead an expiry can matter to an audience; None when no audience depends on time."""
    fields = {a.condition.field for a in audiences}
    if not fields & set(TIME_FIELDS):
        return None
    expiring = [a.condition.value for a in audiences if a.condition.field == "credits_expiring_within_days"]
    return max([*expiring, 0]) + 1


def moved_by_time(expiries: tuple[str, ...], judged_on: date, today: date, horizon: int) -> bool:
    """Whether going from `judged_on` to `today` may change what the audiences see of a member.

    A package counts (its remaining credits, its days to expiry) until its expiry date has passed,
    and a days-to-expiry condition can only flip while the nearest expiry is within `horizon`
    days; outside [earlier day, later day + horizon] every fact is the same on both days."""
    low, high = min(judged_on, today), max(judged_on, today) + timedelta(days=horizon)
    return any(low.isoformat() <= expiry <= high.isoformat() for expiry in expiries)
