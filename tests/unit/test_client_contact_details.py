"""Contact details never refuse a client; `null` in an update clears only what may be empty."""

import pytest
from pydantic import TypeAdapter, ValidationError

from services.notifier.domain.members import new_member
from services.notifier.service_layer.members import change_of
from services.reports.domain.folding import fold
from shared.contract.clients import ClientEvent
from tests.support import events as ev

clients = TypeAdapter(ClientEvent)


def updated(**fields) -> dict:
    return {**{k: v for k, v in ev.client_registered("l-1", "c-1").items()
            if k in ("event_id", "occurred_at", "location_id", "client_id")}, "type": "client.updated", **fields}


@pytest.mark.parametrize("email", [
    "c@example.test", "maria@studio", "front@studio.local", "josé@exämple.com", " ana@x.com ", "no-at-sign",
    "a@@b", "ANA@GMIAL.CON", "", "x" * 320, "ana@x.com\r\nBcc: b@x.com",
])
def test_any_email_is_kept_exactly_as_given(email):
    assert clients.validate_python(ev.client_registered("l-1", "c-1", email=email)).email == email


@pytest.mark.parametrize("phone", ["+1 (555) 010-2030 ext. 12", "call the front desk", "", "555-CALL-NOW", "☎ 0601"])
def test_any_phone_is_kept_exactly_as_given(phone):
    assert clients.validate_python(ev.client_registered("l-1", "c-1", phone=phone)).phone == phone


@pytest.mark.parametrize("contact", [{"email": "x" * 321}, {"phone": "x" * 321}, {"email": "a\x00@x.com"}])
def test_contact_details_over_320_characters_or_with_nul_are_refused(contact):
    with pytest.raises(ValidationError):
        clients.validate_python(ev.client_registered("l-1", "c-1", **contact))


def reports_changes(update: dict) -> dict:
    return unstamped(fold([clients.validate_python(update)]).profiles[("l-1", "c-1")])


def notifier_profile(update: dict, before: dict) -> dict:
    member = {**new_member("l-1", "c-1"), "profile": before}
    return unstamped(change_of(clients.validate_python(update))(member)["profile"])


def unstamped(profile: dict) -> dict:
    return {f: v for f, v in profile.items() if f != "stamps"}


BEFORE = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@x.com", "email_opt_out": True}


def test_null_opt_out_leaves_the_client_opted_out():
    update = updated(email_opt_out=None)

    assert reports_changes(update) == {}
    assert notifier_profile(update, BEFORE)["email_opt_out"] is True


def test_null_names_and_join_date_leave_them_unchanged():
    update = updated(first_name=None, last_name=None, join_date=None, phone="555")

    assert reports_changes(update) == {"phone": "555"}
    assert notifier_profile(update, BEFORE) == BEFORE


def test_null_email_or_phone_clears_it():
    update = updated(email=None, phone=None)

    assert reports_changes(update) == {"email": None, "phone": None}
    assert notifier_profile(update, BEFORE)["email"] is None


def test_absent_fields_are_unchanged_and_given_ones_change():
    update = updated(last_name="  Byron ", email_opt_out=False)

    assert reports_changes(update) == {"last_name": "Byron", "email_opt_out": False}
    assert notifier_profile(update, BEFORE) == {**BEFORE, "last_name": "Byron", "email_opt_out": False}


def test_a_registration_sets_every_field():
    registered = clients.validate_python(ev.client_registered("l-1", "c-1", email=None, email_opt_out=False))

    assert reports_changes(ev.client_registered("l-1", "c-1", email=None))["email"] is None
    assert set(registered.profile_changes()) == {"first_name", "last_name", "email", "phone", "join_date",
                                                 "email_opt_out"}
