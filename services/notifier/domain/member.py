"""`Member`: one client at one location as the notifier judges them, the aggregate its unit of
work changes. Its state is the member document (services.notifier.domain.members); folding a
batch of changes into it records the audience transitions and the events that announce them."""

from collections.abc import Iterable
from datetime import date, datetime

from services.notifier.domain import members
from services.notifier.domain.announcements import transition_event
from services.notifier.domain.conditions import Audience
from services.notifier.domain.membership import Transition
from services.notifier.domain.upkeep import Change, fold


class Member:
    def __init__(self, state: dict) -> None:
        self.state = state
        self.transitions: list[Transition] = []
        self.events: list = []  # AudienceEntered / AudienceLeft, for the unit of work to publish

    @classmethod
    def new(cls, location_id: str, client_id: str) -> "Member":
        return cls(members.new_member(location_id, client_id))

    def to_document(self) -> dict:
        return self.state

    def fold(self, changes: Iterable[tuple[Change, datetime]], audiences: list[Audience], today: date,
             rejudge_at: datetime | None) -> None:
        folded = fold(self.state, changes, audiences, today, rejudge_at)
        self.state = folded.member
        self.transitions += folded.transitions
        self.events += [transition_event(folded.member, t) for t in folded.transitions]
