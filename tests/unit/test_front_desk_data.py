"""Messy front-desk data through the contract and the pure folds of every client consumer: no
client is refused for their contact details, and each ends with the profile the contract says."""

from hypothesis import given, settings
from pydantic import TypeAdapter

from services.notifier.domain.addresses import reachability
from services.notifier.domain.members import new_member
from services.notifier.service_layer.members import change_of
from services.reports.domain.folding import fold
from shared.contract.clients import ClientEvent
from shared.contract.topics import CLIENTS
from tests.support.front_desk import FrontDeskClient, events_of, expected_profile, front_desk_clients

clients = TypeAdapter(ClientEvent)


def unstamped(profile: dict) -> dict:
    return {f: v for f, v in profile.items() if f != "stamps"}


def client_events(client: FrontDeskClient) -> list:
    return [clients.validate_python(event) for topic, event in events_of(client, "l-1") if topic == CLIENTS.name]


@settings(max_examples=150, deadline=None)
@given(front_desk_clients())
def test_no_front_desk_client_is_refused_and_reports_fold_the_profile_the_contract_says(client):
    profile = fold(client_events(client)).profiles[("l-1", client.client_id)]

    assert unstamped(profile) == expected_profile(client)


@settings(max_examples=150, deadline=None)
@given(front_desk_clients())
def test_the_notifier_keeps_the_profile_the_contract_says_and_judges_it_in_a_sentence(client):
    member = new_member("l-1", client.client_id)
    for event in client_events(client):
        member = change_of(event)(member)
    expected = expected_profile(client)

    assert unstamped(member["profile"]) == {f: expected[f] for f in ("first_name", "last_name", "email", "email_opt_out")}
    judged = reachability(member["profile"])
    assert judged.reachable or judged.reason.endswith(".")
    assert not (judged.reachable and any(c in expected["email"] for c in "\r\n"))
