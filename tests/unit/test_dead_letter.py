"""The reasons written on dead letters say what is wrong, naming the field."""

import json

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.contract.sales import SalesEvent
from shared.rules import RuleViolation
from shared.wiring.dead_letter import dead_letter_headers, describe


def _validation_error(payload: dict) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(SalesEvent).validate_python(payload)
    return caught.value


def test_a_validation_failure_names_the_field():
    error = _validation_error({"type": "account.transaction", "event_id": "e", "occurred_at": "2026-01-01T00:00:00Z",
                               "location_id": "l", "client_id": "c", "transaction_id": "t", "kind": "payment",
                               "amount_minor": 100, "currency": "XYZ"})

    assert "currency" in describe(error) and "XYZ" in describe(error)


def test_broken_json_and_broken_rules_say_so():
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads("{")

    assert describe(caught.value).startswith("not valid JSON")
    assert describe(RuleViolation("booking b-1 is unknown")) == "rule broken: booking b-1 is unknown"


def test_headers_point_back_to_the_original_message():
    class Record:
        topic, partition, offset = "studio.sales.v1", 3, 42

    assert dead_letter_headers(Record(), "why") == {
        "x-error": "why", "x-original-topic": "studio.sales.v1", "x-original-partition": "3",
        "x-original-offset": "42",
    }


def test_a_re_drive_refused_again_keeps_the_mark_of_where_it_was_re_driven_from():
    class Record:
        topic, partition, offset = "studio.sales.v1", 3, 43
        headers = (("content-type", b"application/json"), ("x-redriven-from", b"studio.sales.v1.dlq:0:7"))

    headers = dead_letter_headers(Record(), "why")

    assert headers["x-redriven-from"] == "studio.sales.v1.dlq:0:7" and "content-type" not in headers
