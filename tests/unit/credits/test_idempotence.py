from datetime import date

import pytest

from services.credits.domain.aggregate import ClientCredits
from services.credits.domain.errors import (
    ConflictingDuplicate,
    EventForAnotherClient,
    IllegalTransition,
    UnknownBooking,
    UnknownMembership,
)
from shared.rules import RuleViolation
from tests.unit.credits.factories import (
    LOCATION,
    NOW,
    STAFF,
    at,
    booking_attended,
    booking_cancelled,
    booking_created,
    booking_no_show,
    checkin,
    client_with,
    membership_ended,
    membership_started,
    package_purchased,
    transaction,
)


def a_busy_client():
    return client_with(package_purchased(), membership_started(), transaction("tx-1", "payment", 1000))


@pytest.mark.parametrize(
    "event",
    [
        package_purchased(),
        membership_started(),
        membership_ended(),
        transaction("tx-2", "credit", 500, credit_expires_on=date(2025, 6, 30)),
        booking_created(),
        checkin(),
    ],
    ids=lambda e: e.type,
)
def test_the_same_event_again_changes_nothing_and_announces_nothing(event):
    credits = a_busy_client()
    credits.handle(event, NOW)
    before = credits.to_document()

    assert credits.handle(event, NOW) == []
    assert credits.to_document() == before


@pytest.mark.parametrize(
    "transition", [booking_cancelled(), booking_cancelled(late=True), booking_attended(), booking_no_show()],
    ids=lambda e: e.type,
)
def test_the_same_transition_event_again_is_a_no_op(transition):
    credits = client_with(package_purchased(), booking_created())
    credits.handle(transition, NOW)
    before = credits.to_document()

    assert credits.handle(transition, NOW) == []
    assert credits.to_document() == before


def test_the_same_content_under_a_new_event_id_is_still_a_repeat():
    credits = client_with(package_purchased(), booking_created(event_id="first"))

    assert credits.handle(booking_created(event_id="second"), NOW) == []


def test_the_same_booking_id_with_another_session_is_a_conflicting_duplicate_and_changes_nothing():
    credits = client_with(package_purchased(), booking_created(session_id="yoga-1"))
    before = credits.to_document()

    with pytest.raises(ConflictingDuplicate, match="bk-1"):
        credits.handle(booking_created(session_id="pilates-9"), NOW)
    assert credits.to_document() == before


def test_the_same_package_id_with_other_credits_is_a_conflicting_duplicate():
    credits = client_with(package_purchased(credits=12))

    with pytest.raises(ConflictingDuplicate):
        credits.handle(package_purchased(credits=20), NOW)


def test_a_transition_event_id_replayed_with_other_content_is_a_conflicting_duplicate():
    credits = client_with(package_purchased(), booking_created(), booking_cancelled(late=False, event_id="cancel-1"))

    with pytest.raises(ConflictingDuplicate):
        credits.handle(booking_cancelled(late=True, event_id="cancel-1"), NOW)


@pytest.mark.parametrize("event", [booking_cancelled("ghost"), booking_attended("ghost"), booking_no_show("ghost")])
def test_an_event_for_an_unknown_booking_is_refused(event):
    with pytest.raises(UnknownBooking, match="ghost"):
        client_with(package_purchased()).handle(event, NOW)


def test_cancelling_twice_with_different_events_is_an_illegal_transition():
    credits = client_with(package_purchased(), booking_created(), booking_cancelled())
    before = credits.to_document()

    with pytest.raises(IllegalTransition):
        credits.handle(booking_cancelled(), NOW)
    assert credits.to_document() == before


def test_attending_a_cancelled_booking_is_an_illegal_transition():
    credits = client_with(package_purchased(), booking_created(), booking_cancelled())

    with pytest.raises(IllegalTransition, match="released.*attended"):
        credits.handle(booking_attended(), NOW)


def test_ending_an_unknown_membership_is_refused():
    with pytest.raises(UnknownMembership):
        client_with().handle(membership_ended("ghost"), NOW)


def test_an_event_for_another_client_is_refused():
    with pytest.raises(EventForAnotherClient):
        client_with().handle(package_purchased(client_id="someone-else"), NOW)


def test_every_refusal_is_a_rule_violation():
    with pytest.raises(RuleViolation):
        client_with().handle(booking_attended("ghost"), NOW)


def test_the_same_input_on_the_same_state_gives_identical_events():
    def replay():
        credits = client_with(package_purchased(event_id="p"), membership_started(event_id="m"))
        return credits.handle(booking_created(event_id="b"), NOW) + credits.adjust_account(
            100, "EUR", "goodwill", STAFF, "cmd-1", NOW)

    first, second = replay(), replay()

    assert first == second
    assert len({e.event_id for e in first}) == len(first)
    assert all(len(e.event_id) <= 64 for e in first)


def test_event_ids_differ_between_clients_even_for_the_same_command_id():
    def adjust(client_id):
        return ClientCredits.new(LOCATION, client_id).adjust_account(100, "EUR", "x", STAFF, "key-1", NOW)

    assert adjust("ann")[0].event_id != adjust("bob")[0].event_id


def test_an_expiry_sweep_repeated_later_on_the_same_state_repeats_its_events():
    credits = client_with(transaction("tx-1", "credit", 1000, credit_expires_on=date(2025, 3, 31)))
    document = credits.to_document()

    first = credits.expire_credit(at(2025, 4, 1, 1))
    retry = ClientCredits.from_document(document).expire_credit(at(2025, 4, 2))

    assert first == retry


def test_output_events_carry_the_cause_time_and_the_clients_ids():
    credits = client_with(package_purchased())

    events = credits.handle(booking_created(occurred_at=at(2025, 3, 2)), NOW)

    assert {(e.occurred_at, e.location_id, e.client_id) for e in events} == {(at(2025, 3, 2), LOCATION, "client-1")}
