"""Staff move a package's validity (with a note), and every adjustment carries its note and actor."""

from datetime import date

import pytest
from pydantic import ValidationError

from services.credits.domain.aggregate import ClientCredits
from services.credits.domain.errors import InvalidAdjustment, ValidityReversed
from shared.contract.staff_api import PackageAdjustment
from shared.migrations.credits_adjustments import with_adjustments_recorded
from tests.unit.credits.factories import NOW, STAFF, at, booking_created, client_with, package_purchased, view_of


def extend(credits: ClientCredits, command_id="cmd-1", note="paid for a pause", **validity):
    return credits.adjust_package("pkg-1", None, None, note, STAFF, command_id, NOW, **validity)


def test_extending_a_package_lets_it_serve_sessions_after_its_old_expiry():
    credits = client_with(package_purchased(expires_on=date(2025, 3, 31)))

    [changed] = extend(credits, expires_on=date(2025, 5, 31))
    [reserved, _] = credits.handle(booking_created(starts_at=at(2025, 5, 20)), NOW)

    assert (changed.expires_on, changed.version, changed.total) == (date(2025, 5, 31), 2, 12)
    assert reserved.type == "credit.reserved" and reserved.source.id == "pkg-1"
    assert view_of(credits)["expires_on"] == date(2025, 5, 31)


def test_an_expiry_of_null_means_the_package_never_expires():
    credits = client_with(package_purchased(expires_on=date(2025, 3, 31)))

    [changed] = extend(credits, expires_on=None)

    assert changed.expires_on is None and view_of(credits, now=at(2030, 1, 1))["status"] == "active"


def test_the_note_and_the_actor_travel_on_the_package_event_and_are_kept_in_order():
    credits = client_with(package_purchased(expires_on=date(2025, 3, 31)))
    extend(credits, expires_on=date(2025, 4, 30), note="injury")

    [changed] = credits.adjust_package("pkg-1", "add", 2, "goodwill", "staff-9", "cmd-2", NOW)

    first, second = changed.adjustments
    assert (first.note, first.actor, first.changed, first.action, first.expires_on) == (
        "injury", STAFF, ["expires_on"], None, date(2025, 4, 30))
    assert (second.note, second.actor, second.changed, second.action, second.credits, second.at) == (
        "goodwill", "staff-9", ["credits"], "add", 2, NOW)
    assert [a["note"] for a in view_of(credits)["adjustments"]] == ["injury", "goodwill"]


def test_credits_and_validity_change_together_in_one_adjustment():
    credits = client_with(package_purchased())

    [changed] = credits.adjust_package("pkg-1", "add", 1, "swap", STAFF, "cmd-1", NOW, starts_on=date(2025, 2, 1))

    assert (changed.total, changed.starts_on, changed.adjustments[0].changed) == (13, date(2025, 2, 1),
                                                                                 ["credits", "starts_on"])


def test_a_validity_ending_before_it_starts_is_refused_and_changes_nothing():
    credits = client_with(package_purchased(starts_on=date(2025, 3, 1)))
    before = credits.to_document()

    with pytest.raises(ValidityReversed):
        extend(credits, expires_on=date(2025, 2, 1))
    assert credits.to_document() == before


def test_an_adjustment_that_changes_nothing_is_refused():
    credits = client_with(package_purchased(expires_on=date(2025, 12, 31)))

    with pytest.raises(InvalidAdjustment):
        extend(credits, expires_on=date(2025, 12, 31))


def test_the_same_validity_command_again_changes_nothing():
    credits = client_with(package_purchased())
    extend(credits, expires_on=None)
    after = credits.to_document()

    assert extend(credits, expires_on=None) == [] and credits.to_document() == after


def test_a_stored_package_from_before_validity_adjustments_loads_once_migrated():
    credits = client_with(package_purchased())
    credits.adjust_package("pkg-1", "add", 1, "old", STAFF, "cmd-1", NOW)
    document = credits.to_document()
    for adjustment in document["packages"][0]["adjustments"]:
        for field in ("starts_on", "expires_on", "changed"):
            del adjustment[field]

    [listed] = view_of(ClientCredits.from_document(with_adjustments_recorded(document)))["adjustments"]

    assert (listed["note"], listed["changed"], listed["starts_on"]) == ("old", ["credits"], None)


@pytest.mark.parametrize("body", [{}, {"note": "x"}, {"action": "add"}, {"credits": 2}, {"starts_on": None},
                                  {"starts_on": "2025-05-01", "expires_on": "2025-04-01"}])
def test_a_package_adjustment_request_needs_one_whole_change(body):
    with pytest.raises(ValidationError):
        PackageAdjustment.model_validate(body)


def test_a_request_tells_never_expiring_from_not_given():
    assert PackageAdjustment.model_validate({"expires_on": None}).validity() == {"expires_on": None}
    assert PackageAdjustment.model_validate({"action": "add", "credits": 1}).validity() == {}
