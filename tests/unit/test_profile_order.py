"""A client's profile is the same whatever order its events arrive in and however often: each field
keeps the value of the latest event that set it, by `occurred_at` (the event id deciding a tie), in
the reports and in the notifier alike, and rows stored before stamps were kept go on working."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from services.notifier.domain.members import PROFILE_FIELDS as MEMBER_FIELDS
from services.notifier.domain.members import new_member
from services.notifier.service_layer.members import change_of
from services.reports.domain.folding import fold
from services.reports.domain.profiles import stored_profile
from shared.contract.clients import CLEARABLE, PROFILE_FIELDS, ClientEvent, Name
from tests.support.front_desk import emails, join_dates, names, registrations, updates

clients = TypeAdapter(ClientEvent)
_name = TypeAdapter(Name)
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
OWNER = ("l-1", "c-1")
# the same instant written in other zones: stamps must compare instants, not text
OFFSETS = [timezone.utc, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))]


@st.composite
def client_histories(draw) -> list[dict]:
    """A client's profile events as their producers published them: a registration (or not yet) and
    updates, at instants that often coincide (two producers, a clock's resolution)."""
    kinds = [("client.registered", f) for f in draw(st.lists(registrations, max_size=1))]
    kinds += [("client.updated", f) for f in draw(st.lists(updates, max_size=5))]
    events = []
    for n, (type_, fields) in enumerate(kinds):
        at = (T0 + timedelta(seconds=draw(st.integers(0, 4)))).astimezone(draw(st.sampled_from(OFFSETS)))
        events.append({"event_id": f"e-{draw(st.integers(0, 99))}-{n}", "type": type_, "occurred_at": at.isoformat(),
                       "location_id": OWNER[0], "client_id": OWNER[1], **fields})
    return events


@st.composite
def deliveries(draw) -> tuple[list[dict], list[dict]]:
    """(the history, what arrives: any permutation of it, some events more than once)."""
    history = draw(client_histories())
    again = draw(st.lists(st.sampled_from(history), max_size=4)) if history else []
    return history, draw(st.permutations(history + again))


legacy_rows = st.one_of(st.just({}), st.fixed_dictionaries(
    {"first_name": names.map(_name.validate_python), "last_name": names.map(_name.validate_python),
     "email": st.one_of(st.none(), emails), "phone": st.none(), "join_date": join_dates,
     "email_opt_out": st.booleans()}))


def oracle(history: list[dict], before: dict) -> dict:
    """The contract read literally over the events sorted by (occurred_at, event_id)."""
    profile = dict(before)
    for event in sorted(history, key=lambda e: (datetime.fromisoformat(e["occurred_at"]), e["event_id"])):
        fields = {f: event[f] for f in PROFILE_FIELDS if f in event}
        if event["type"] == "client.registered":
            profile = {**profile, "email": None, "phone": None, "email_opt_out": False, **fields}
            continue
        profile.update({f: v for f, v in fields.items() if v is not None or f in CLEARABLE})
    return {f: _name.validate_python(v) if f in ("first_name", "last_name") else v for f, v in profile.items()}


def reports_profile(arrived: list[dict], cuts: list[int], stored: dict) -> dict:
    """Through the reports' fold and store merge, the deliveries consumed in batches cut at `cuts`."""
    events = [clients.validate_python(e) for e in arrived]
    bounds = [0, *sorted({c % (len(events) + 1) for c in cuts}), len(events)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        if batch := fold(events[start:end]).profiles.get(OWNER):
            stored = stored_profile(stored, batch)
    return {f: stored[f] for f in PROFILE_FIELDS if f in stored}


def notifier_profile(arrived: list[dict], stored: dict) -> dict:
    member = {**new_member(*OWNER), "profile": {f: v for f, v in stored.items() if f in MEMBER_FIELDS}}
    for event in arrived:
        member = change_of(clients.validate_python(event))(member)
    return {f: v for f, v in member["profile"].items() if f != "stamps"}


@settings(max_examples=300, deadline=None)
@given(deliveries(), st.lists(st.integers(0, 20), max_size=3), legacy_rows)
def test_the_reports_profile_is_the_latest_value_of_each_field_whatever_the_order_and_repeats(
        delivered, cuts, legacy):
    history, arrived = delivered

    assert reports_profile(arrived, cuts, legacy) == oracle(history, legacy)


@settings(max_examples=300, deadline=None)
@given(deliveries(), legacy_rows)
def test_the_notifiers_member_has_the_latest_value_of_each_field_whatever_the_order_and_repeats(delivered, legacy):
    history, arrived = delivered
    expected = oracle(history, {f: v for f, v in legacy.items() if f in MEMBER_FIELDS})

    assert notifier_profile(arrived, legacy) == {f: v for f, v in expected.items() if f in MEMBER_FIELDS}


def test_a_late_redelivery_of_an_older_update_does_not_bring_the_old_email_back():
    older = {"event_id": "e-1", "type": "client.updated", "occurred_at": T0.isoformat(), "location_id": "l-1",
             "client_id": "c-1", "email": "old@example.com"}
    newer = {**older, "event_id": "e-2", "occurred_at": (T0 + timedelta(minutes=1)).isoformat(),
             "email": "new@example.com"}

    assert reports_profile([newer, older], [], {})["email"] == "new@example.com"
    assert notifier_profile([newer, older], {})["email"] == "new@example.com"


def test_a_row_stored_before_stamps_takes_any_event_and_keeps_what_no_event_set():
    legacy = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "email_opt_out": True}
    update = {"event_id": "e-1", "type": "client.updated", "occurred_at": T0.isoformat(), "location_id": "l-1",
              "client_id": "c-1", "email": None}

    assert reports_profile([update], [], legacy) == {**legacy, "email": None}
    assert notifier_profile([update], legacy) == {**legacy, "email": None}
