"""schemathesis against each running service's OpenAPI: no 5xx, and every answer is one the
document declares (status code, content type, body schema, headers).

Each operation gets a bounded number of generated requests (valid ones, then invalid ones), all
with a whole-brand admin token, so the routes themselves are exercised past authentication.
It runs after the other e2e tests (its files sort after tests/e2e/): the audiences, journeys and
newsletters it creates at random must not send mail into their inboxes.
"""

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import auth

pytestmark = pytest.mark.e2e

EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}
NOT_FUZZED = ("/health/ready",)  # answers 503 by design when a dependency is down; nothing to generate


# Our 422s also judge what JSON Schema cannot say: an opaque cursor, one date before another, an
# audience or template that must exist, an Idempotency-Key reused with another body, a sort or
# column list of the report's own fields. A schema-valid request may rightly be refused, so the
# check that every schema-valid request is accepted does not apply; invalid ones must still be.
EXCLUDED_CHECKS = [positive_data_acceptance]


def _failures(url: str) -> dict[str, str]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    found = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in NOT_FUZZED:
            continue
        for mode, examples in _modes(operation):
            try:
                _fuzz(operation, mode, examples, url)
            except (Exception, BaseExceptionGroup) as error:  # a report per operation and mode
                found[f"{operation.label} [{mode.value}]"] = str(error)[:2000]
    return found


def _modes(operation) -> list[tuple[GenerationMode, int]]:
    """Invalid requests only where there is something to get wrong."""
    takes_input = bool(operation.definition.raw.get("parameters") or operation.body)
    return [(m, n) for m, n in EXAMPLES.items() if takes_input or m is GenerationMode.POSITIVE]


def _fuzz(operation, mode: GenerationMode, examples: int, url: str) -> None:
    headers = auth()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        case.call_and_validate(base_url=url, headers=headers, excluded_checks=EXCLUDED_CHECKS)

    run()


@pytest.mark.parametrize("service", ["bookings", "credits", "reports", "notifier"])
def test_every_operation_answers_within_its_documented_responses(system, service):
    assert httpx.get(f"{system[service].url}/health/live").status_code == 200

    failures = _failures(system[service].url)

    assert failures == {}, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())


BOUNDARIES = [  # values at the edges of their types, which random generation rarely draws
    ("reports", "GET", "/v1/reports/clients-with-account-credit", {"min_balance_minor": str(10**30)}, None),
    ("reports", "GET", "/v1/reports/clients-with-account-credit", {"q": "a\x00b((["}, None),
    ("reports", "GET", "/v1/reports/clients-with-account-credit", {"q": ".*" * 40, "sort": "$where"}, None),
    ("reports", "GET", "/v1/reports/clients-with-account-credit", {"cursor": "eyJ4IjoxfQ"}, None),
    ("reports", "GET", "/v1/reports/clients-with-account-credit", {"joined_from": "9999-12-31"}, None),
    ("reports", "GET", "/v1/reports/session-credits-remaining", {"from": "0001-01-01", "to": "9999-12-31"}, None),
    ("reports", "GET", "/v1/reports/balance-movements", {"from": "0001-01-01", "to": "9999-12-31"}, None),
    ("reports", "GET", "/v1/reports/account-balances", {"columns": "a," * 400}, None),
    ("reports", "GET", "/v1/locations/l/clients/c/account/history", {"cursor": "eyJ4IjoxfQ"}, None),
    ("credits", "POST", "/v1/locations/l/clients/c/account/adjustments", {},
     {"amount_minor": 10**13, "currency": "USD", "note": "n"}),
    ("credits", "POST", "/v1/locations/l/clients/c/memberships/m/periods/9999-12-31/adjustments", {},
     {"action": "add", "credits": 1, "valid_from": "0001-01-01", "valid_to": "9999-12-31"}),
    ("bookings", "POST", "/v1/locations/l/bookings", {},
     {"client_id": "c", "session_id": "s", "session_name": "n", "session_starts_at": "9999-12-31T23:59:59-12:00"}),
    ("bookings", "POST", "/v1/locations/l/bookings", {},
     {"client_id": "c", "session_id": "s", "session_name": "n", "session_starts_at": "0001-01-01T00:00:00+14:00"}),
    ("notifier", "POST", "/v1/journeys", {},
     {"name": "j", "audience_id": "owing-balance", "steps": [{"after": "P99999999Y", "template_id": "t"}]}),
    ("notifier", "POST", "/v1/newsletters", {},
     {"audience_id": "owing-balance", "template_id": "t", "send_at": "9999-12-31T23:59:59-12:00"}),
    ("notifier", "POST", "/v1/audiences", {},
     {"name": "a", "condition": {"field": "credits_expiring_within_days", "op": "lt", "value": 2**53 - 1}}),
]


@pytest.mark.parametrize(("service", "method", "path", "params", "body"), BOUNDARIES,
                         ids=[f"{b[0]}{b[2]}?{','.join(b[3])}" for b in BOUNDARIES])
def test_values_at_the_edges_of_their_types_are_answered_without_a_server_error(system, service, method, path,
                                                                                params, body):
    response = httpx.request(method, f"{system[service].url}{path}", params=params, json=body, headers=auth(),
                             timeout=20)

    assert response.status_code < 500, response.text[:300]
