"""Whatever arrives on an inbound topic becomes a contract event or a refusal with a reason.

Hypothesis throws garbage at the decoding layer every subscriber uses (`shared.wiring.batches`
and `decoding`): random bytes, JSON of every shape, events with one field replaced by a value of
the wrong type, huge strings and numbers, unknown types, nesting deeper than Python recurses.
Nothing may raise anything but a refusal, and a refusal must say why.
"""

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.contract import EVENTS_BY_TOPIC
from shared.contract.topics import BOOKINGS, CLIENTS, CREDITS, LOCATIONS, SALES
from shared.wiring.batches import batch_decoder, refusals
from shared.wiring.dead_letter import REFUSED, dead_letter_copy, describe
from shared.wiring.decoding import MAX_EVENT_BYTES, decode_json
from tests.support import events as ev

VALID = {
    LOCATIONS.name: [ev.location_registered("loc-1", currency="USD"), ev.location_updated("loc-1", name="Midtown"),
                     ev.location_updated("loc-1", time_zone="Pacific/Kiritimati")],
    CLIENTS.name: [ev.client_registered("loc-1", "c-1")],
    SALES.name: [ev.package_purchased("loc-1", "c-1", "p-1"), ev.membership_started("loc-1", "c-1", "m-1"),
                 ev.account_transaction("loc-1", "c-1", "payment", 1250)],
    BOOKINGS.name: [ev.booking_created("loc-1", "c-1", "b-1", "2026-12-01T09:00:00+00:00"),
                    ev.booking_cancelled("loc-1", "c-1", "b-1", late=True)],
    CREDITS.name: [{"event_id": "e-1", "type": "account.entry_recorded", "occurred_at": "2026-01-01T00:00:00Z",
                    "location_id": "loc-1", "client_id": "c-1", "entry_id": "en-1", "sequence": 1, "entry_type": "Payment",
                    "amount_minor": 1250, "balance_after_minor": 1250, "credit_balance_minor": 1250,
                    "currency": "USD", "at": "2026-01-01T00:00:00Z", "note": None, "actor": None}],
}
TOPICS = list(VALID)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
hostile_values = (
    json_values
    | st.integers(min_value=2**63, max_value=10**300) | st.integers(min_value=-(10**300), max_value=-(2**63))
    | st.just("x" * 100_000) | st.text(alphabet="\x00\ud7ff\ufeff=+@\t\r<>{}%$", max_size=30)
    | st.sampled_from(["", " ", "2026-02-30", "2026-01-01T00:00:00", "0001-01-01T00:00:00+14:00",
                       "9999-12-31T23:59:59-12:00", "9999-12-31", "0001-01-01", "NaN", "{{7*7}}", "=cmd|' /C calc'!A0",
                       "package.teleported", "../../etc/passwd", "a" * 65, "$where", "x.y"])
)


@st.composite
def mutated_events(draw, topic: str) -> bytes:
    """A valid event of `topic` with fields replaced, removed or added."""
    event = dict(draw(st.sampled_from(VALID[topic])))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        field = draw(st.sampled_from(sorted(event))) if event else "type"
        if action == "replace":
            event[field] = draw(hostile_values)
        elif action == "drop":
            event.pop(field, None)
        else:
            event[draw(st.text(max_size=12))] = draw(hostile_values)
    return json.dumps(event).encode()


def garbage() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.integers(1, 50_000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.integers(4_400, 20_000).map(lambda digits: b'{"amount_minor": ' + b"9" * digits + b"}"),
        st.just(b"x" * (MAX_EVENT_BYTES + 1)),
        st.just(json.dumps({**VALID[SALES.name][0], "package_name": "y" * 300_000}).encode()),
        st.sampled_from([b"", b"null", b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b'{"type": null}', b"NaN",
                         b'"' + b"\\ud800" + b'"']),
    )


def record(topic: str, value: bytes | None, offset: int = 0):
    return SimpleNamespace(topic=topic, partition=0, offset=offset, key=b"c-1", value=value)


def judge(topic: str, value: bytes | None) -> str | None:
    """None if the record is accepted, else the reason it is refused; anything else raises."""
    try:
        event = EVENTS_BY_TOPIC[topic].validate_python(decode_json(value))
    except REFUSED as error:
        return describe(error)
    assert storable(event.model_dump())
    return None


def storable(value) -> bool:
    """What the store can hold: BSON integers are 64 bits (and JSON readers keep 2**53 exactly);
    FerretDB on PostgreSQL (jsonb) refuses text holding U+0000."""
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(storable(v) for v in value)
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, datetime):
        return value.astimezone(UTC) is not None  # stored (and fingerprinted) in UTC: raises if it cannot be
    return not isinstance(value, int) or abs(value) <= 2**53 - 1


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])


@pytest.mark.parametrize("topic", TOPICS)
@FUZZ
@given(data=st.data())
def test_garbage_on_any_inbound_topic_is_refused_with_a_reason(topic, data):
    reason = judge(topic, data.draw(garbage()))

    assert reason and len(reason) <= 900


@pytest.mark.parametrize("topic", TOPICS)
@FUZZ
@given(data=st.data())
def test_a_mangled_event_is_either_a_valid_event_or_refused_with_a_reason(topic, data):
    reason = judge(topic, data.draw(mutated_events(topic)))

    assert reason is None or reason.strip()


@pytest.mark.parametrize("topic", TOPICS)
@FUZZ
@given(data=st.data())
async def test_a_batch_keeps_its_good_records_and_names_every_bad_one(topic, data):
    good = [json.dumps(e).encode() for e in VALID[topic]]
    bad = data.draw(st.lists(garbage(), min_size=1, max_size=5))
    values = data.draw(st.permutations(good + bad))
    records = [record(topic, v, offset) for offset, v in enumerate(values)]

    events = await batch_decoder(EVENTS_BY_TOPIC[topic])(SimpleNamespace(raw_message=records))
    refused = refusals(EVENTS_BY_TOPIC[topic], records, events)

    assert sum(e is not None for e in events) == len(good)
    assert sorted(r.offset for r, _ in refused) == [r.offset for r, e in zip(records, events) if e is None]
    assert all(describe(error) for _, error in refused)


def test_an_oversized_record_is_refused_as_too_large_and_its_dead_letter_is_cut_to_the_limit():
    value = json.dumps({**VALID[SALES.name][0], "package_name": "y" * (2 * MAX_EVENT_BYTES)}).encode()

    reason = judge(SALES.name, value)
    copy, headers = dead_letter_copy(record(SALES.name, value), reason)

    assert reason.startswith("too large") and str(MAX_EVENT_BYTES) in reason
    assert len(copy) == MAX_EVENT_BYTES and headers["x-original-size"] == str(len(value))


@pytest.mark.parametrize("value", [b"[" * 100_000 + b"]" * 100_000, b"9" * 5_000, b'{"a": ' + b"1" * 5_000 + b"}"],
                         ids=["nested-too-deep", "huge-number", "huge-number-in-a-field"])
def test_json_python_cannot_read_is_refused_as_not_valid_json(value):
    assert judge(SALES.name, value).startswith("not valid JSON")
