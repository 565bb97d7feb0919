"""`ClientCredits`: one client's credits at one location, changed by one call at a time.

A unit of work loads it at its latest version, calls its methods, and stores the next version
with the events they collected in `events` (each method also returns its own). Every change is
made on a draft of the state, so a broken rule leaves the aggregate exactly as it was.

Days are the location's: every method that judges one takes the location's `zone` (data, like
`now`; UTC while the zone is not known). The state keeps dates as dates, so a zone that arrives or
changes later re-derives every instant (a lot's expiry, a package's status) from the same dates.
"""

from copy import deepcopy
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Callable

from shared.contract import bookings, sales
from shared.contract.credits import CreditsEvent
from shared.contract.envelope import Event
from services.credits.domain import booking_events, ledger, sales_events, staff_commands, state, views
from services.credits.domain.announcements import announce_entries
from services.credits.domain.errors import (
    EventForAnotherClient,
    UnknownMembership,
    UnknownPackage,
    UnknownPeriod,
    UnsupportedEvent,
)
from services.credits.domain.instants import Moment, as_utc
from services.credits.domain.outputs import Outputs
from services.credits.domain.state import CreditsState

_HANDLERS: dict[type, Callable] = {
    sales.PackagePurchased: sales_events.purchase_package,
    sales.MembershipStarted: sales_events.start_membership,
    sales.MembershipEnded: sales_events.end_membership,
    sales.AccountTransaction: sales_events.record_transaction,
    bookings.BookingCreated: booking_events.create_booking,
    bookings.BookingCancelled: booking_events.cancel_booking,
    bookings.BookingAttended: booking_events.attend_booking,
    bookings.BookingNoShow: booking_events.mark_no_show,
    bookings.CheckinRecorded: booking_events.record_checkin,
}


class ClientCredits:
    def __init__(self, credits_state: CreditsState) -> None:
        self._state = credits_state
        self.events: list[CreditsEvent] = []  # every event its changes made since it was loaded

    @classmethod
    def new(cls, location_id: str, client_id: str) -> "ClientCredits":
        return cls(CreditsState(location_id, client_id))

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "ClientCredits":
        return cls(state.load(document))

    def to_document(self) -> dict[str, Any]:
        """JSON-shaped; the store adds its own version and outbox fields."""
        return state.dump(self._state)

    @property
    def location_id(self) -> str:
        return self._state.location_id

    @property
    def client_id(self) -> str:
        return self._state.client_id

    def handle(self, event: Event, now: datetime, zone: tzinfo = UTC) -> list[CreditsEvent]:
        """Apply an inbound sales or bookings event; returns the credits events to publish."""
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise UnsupportedEvent(getattr(event, "type", type(event).__name__))
        self._check_owner(event)
        at = Moment(as_utc(now), zone)
        return self._change(event.event_id, event.occurred_at, lambda draft, out: handler(draft, event, at, out))

    def adjust_package(self, package_id: str, action: str | None, credits: int | None, note: str | None,
                       actor: str, command_id: str, now: datetime, **validity) -> list[CreditsEvent]:
        """`validity`: `starts_on`, `expires_on` (None = never); a field not given stays as it is."""
        return self._command(command_id, now, staff_commands.adjust_package, package_id=package_id,
                             action=action, credits=credits, note=note, actor=actor, **validity)

    def adjust_period(self, membership_id: str, period_start: date, action: str, credits: int,
                      valid_from: date | None, valid_to: date | None, note: str | None,
                      actor: str, command_id: str, now: datetime) -> list[CreditsEvent]:
        return self._command(command_id, now, staff_commands.adjust_period, membership_id=membership_id,
                             period_start=period_start, action=action, credits=credits,
                             valid_from=valid_from, valid_to=valid_to, note=note, actor=actor)

    def adjust_account(self, amount_minor: int, currency: str, note: str, actor: str,
                       command_id: str, now: datetime, zone: tzinfo = UTC) -> list[CreditsEvent]:
        return self._command(command_id, now, staff_commands.adjust_account, amount_minor=amount_minor,
                             currency=currency, note=note, actor=actor, zone=zone)

    def expire_credit(self, now: datetime, zone: tzinfo = UTC) -> list[CreditsEvent]:
        """Expire every credit lot whose last local day has ended by `now`."""
        now = as_utc(now)
        # The next ledger position names this sweep, so a retry on the same state repeats its ids.
        cause = f"credit-expiry/{len(self._state.account.entries) + 1}"

        def expire(draft: CreditsState, out: Outputs) -> None:
            announce_entries(ledger.expire_due(draft.account, now, draft.scope, zone), out)

        return self._change(cause, now, expire)

    def next_credit_expiry(self, zone: tzinfo = UTC) -> datetime | None:
        return self._state.account.next_expiry(zone)

    def next_credit_expiry_day(self) -> date | None:
        """The last day of the lot that expires first: a date, the same whatever the zone."""
        return self._state.account.next_expiry_day()

    def package_views(self, now: datetime, zone: tzinfo = UTC) -> list[dict[str, Any]]:
        return [views.package_view(p, self._state.claims, now, zone) for p in self._state.packages]

    def package_view(self, package_id: str, now: datetime, zone: tzinfo = UTC) -> dict[str, Any]:
        package = self._state.package(package_id)
        if package is None:
            raise UnknownPackage(package_id)
        return views.package_view(package, self._state.claims, now, zone)

    def membership_views(self, now: datetime, zone: tzinfo = UTC) -> list[dict[str, Any]]:
        return [views.membership_view(m, self._state.claims, now, zone) for m in self._state.memberships]

    def period_view(self, membership_id: str, period_start: date) -> dict[str, Any]:
        membership = self._state.membership(membership_id)
        if membership is None:
            raise UnknownMembership(membership_id)
        if not membership.has_period(period_start):
            raise UnknownPeriod(membership_id, period_start)
        return views.period_view(membership, period_start, self._state.claims)

    def balance(self) -> dict[str, Any]:
        return views.balance_view(self._state.account)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClientCredits) and self._state == other._state

    def _command(self, command_id: str, now: datetime, command: Callable, **arguments: Any) -> list[CreditsEvent]:
        now = as_utc(now)
        return self._change(
            command_id, now, lambda draft, out: command(draft, out, command_id=command_id, now=now, **arguments)
        )

    def _change(self, cause_id: str, occurred_at: datetime, apply: Callable[[CreditsState, Outputs], None]) -> list[CreditsEvent]:
        draft = deepcopy(self._state)
        out = Outputs(draft.location_id, draft.client_id, cause_id, occurred_at)
        apply(draft, out)
        self._state = draft
        self.events += out.events
        return out.events

    def _check_owner(self, event: Event) -> None:
        given = (event.location_id, event.client_id)
        if given != (self.location_id, self.client_id):
            raise EventForAnotherClient((self.location_id, self.client_id), given)
