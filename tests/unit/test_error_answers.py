"""Every error of the four services reads the same way: `{message, detail: [{field?, msg}]}`, the
message a sentence, the field named as the request named it; an unknown query parameter is a 422
naming it on every endpoint. The services are built as in production (`create_app`) and called
in-process, without Kafka or the database: every answer here is given before either is touched."""

import importlib
import time

import httpx
import jwt
import pytest

from shared.wiring.auth import mint_token
from shared.wiring.service import create_app
from shared.wiring.settings import Settings

SECRET = "unit-secret-for-the-error-answers-0123456789"
PORTS = {"bookings": 8001, "credits": 8002, "reports": 8003, "notifier": 8004}
PATH_VALUES = {"period_start": "2026-11-01"}
NOT_STAFF = ("/health/live", "/health/ready")


def service_app(name: str):
    assemble = importlib.import_module(f"services.{name}.bootstrap").assemble
    return create_app(Settings.for_service(name, PORTS[name]).model_copy(update={"staff_jwt_secret": SECRET}),
                      assemble)


@pytest.fixture(scope="module")
def apps() -> dict:
    return {name: service_app(name) for name in PORTS}


def bearer(role: str = "admin", locations: list[str] | None = None, **claims) -> dict:
    token = mint_token(SECRET, "staff-1", role, locations or ["*"]) if not claims else jwt.encode(
        {"sub": "staff-1", "role": role, "locations": locations or ["*"], **claims}, SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


async def call(app, method: str, path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        return await http.request(method, path, **kwargs)


def operations(app) -> list[tuple[str, str]]:
    """(METHOD, concrete path) of every documented operation."""
    found = []
    for template, methods in app.openapi()["paths"].items():
        path = template
        for name in [p.strip("{}") for p in template.split("/") if p.startswith("{")]:
            path = path.replace(f"{{{name}}}", PATH_VALUES.get(name, "x-1"))
        found += [(method.upper(), path) for method in methods]
    return found


def assert_problem(response: httpx.Response, status: int) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"message", "detail"} and body["detail"], body
    assert body["message"][0].isupper() and body["message"].endswith("."), body["message"]
    assert all(set(d) <= {"field", "msg"} and d["msg"] for d in body["detail"]), body["detail"]
    return body


@pytest.mark.parametrize("service", list(PORTS))
async def test_an_unknown_query_parameter_is_422_naming_it_on_every_endpoint(apps, service):
    answers = {}
    for method, path in operations(apps[service]):
        response = await call(apps[service], method, path, params={"balanse": "negative"}, headers=bearer(),
                              json={} if method == "POST" else None)
        answers[f"{method} {path}"] = (response.status_code, response.json()["detail"][0].get("field"))

    assert answers == {label: (422, "balanse") for label in answers}


async def test_the_unknown_parameter_message_says_what_the_endpoint_takes(apps):
    response = await call(apps["reports"], "GET", "/v1/reports/account-balances",
                          params={"balanse": "negative", "limit": 5}, headers=bearer())

    body = assert_problem(response, 422)
    assert body["message"].startswith("The query parameter balanse is unknown here; this endpoint takes ")
    assert "balance" in body["detail"][0]["msg"] and "limit" in body["detail"][0]["msg"]


async def test_a_known_parameter_of_a_shared_dependency_or_an_alias_is_not_unknown(apps):
    response = await call(apps["reports"], "GET", "/v1/reports/balance-movements",
                          params={"from": "2026-13-01", "to": "2026-12-31", "limit": 5}, headers=bearer())

    assert assert_problem(response, 422)["detail"] == [{"field": "from", "msg": "must be a date (YYYY-MM-DD)"}]


async def test_a_bad_value_is_422_naming_the_parameter_in_a_sentence(apps):
    response = await call(apps["reports"], "GET", "/v1/reports/clients-with-account-credit",
                          params={"min_balance_minor": "lots"}, headers=bearer())

    body = assert_problem(response, 422)
    assert body == {"message": "The query parameter min_balance_minor must be a whole number.",
                    "detail": [{"field": "min_balance_minor", "msg": "must be a whole number"}]}


async def test_a_bad_body_field_is_named_as_the_body_names_it(apps):
    response = await call(apps["bookings"], "POST", "/v1/locations/l-1/bookings", headers=bearer(), json={
        "client_id": "two words", "session_id": "s-1", "session_name": "Yoga",
        "session_starts_at": "2030-01-01T09:00:00", "credit_source": {"kind": "voucher", "id": "v"}})

    assert assert_problem(response, 422)["detail"] == [
        {"field": "client_id", "msg": "may hold only letters, digits, '.', '_', ':' and '-'"},
        {"field": "session_starts_at", "msg": "must have a time zone offset (e.g. +00:00)"},
        {"field": "credit_source.kind", "msg": "must be 'package' or 'membership'"}]


ELSEWHERE = {  # a request about location l-2
    "bookings": ("GET", "/v1/locations/l-2/bookings/b-1", {}),
    "credits": ("POST", "/v1/locations/l-2/clients/c-1/account/adjustments",
                {"json": {"amount_minor": 1, "currency": "USD", "note": "n"}}),
    "reports": ("GET", "/v1/locations/l-2/clients/c-1/account/history", {}),
    "notifier": ("GET", "/v1/messages", {"params": {"location": "l-2", "client_id": "c-1"}}),
}


@pytest.mark.parametrize("service", list(PORTS))
async def test_401_403_404_and_405_have_the_same_shape_as_422(apps, service):
    app = apps[service]
    staff_ops = [op for op in operations(app) if op[1] not in NOT_STAFF]
    write = next((op for op in staff_ops if op[0] == "POST"), None)

    assert_problem(await call(app, *staff_ops[0]), 401)
    if write:  # a reporting token may not write
        assert_problem(await call(app, *write, headers=bearer("reporting"), json={}), 403)
    method, path, kwargs = ELSEWHERE[service]
    assert_problem(await call(app, method, path, headers=bearer("admin", ["l-1"]), **kwargs), 403)
    assert_problem(await call(app, "GET", "/v1/nothing-here", headers=bearer()), 404)
    not_allowed = assert_problem(await call(app, "DELETE", "/health/live"), 405)
    assert not_allowed["message"] == "The method DELETE is not allowed on /health/live; use GET."


MALFORMED = ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30", "x" * 40]


@pytest.mark.parametrize("token", MALFORMED)
async def test_a_malformed_token_is_401_with_a_sentence_not_the_decoders_text(apps, token):
    response = await call(apps["reports"], "GET", "/v1/me", headers={"Authorization": f"Bearer {token}"})

    body = assert_problem(response, 401)
    assert body["message"] == "The token is not a valid JWT."
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_token_without_exp_is_401_naming_the_claim(apps):
    response = await call(apps["reports"], "GET", "/v1/me", headers=bearer(iat=int(time.time())))

    assert assert_problem(response, 401)["message"] == "The token has no 'exp' claim; sub, role and exp are required."


@pytest.mark.parametrize(("headers", "message"), [
    ({}, "Sign in: send a staff token as 'Authorization: Bearer <JWT>'."),
    (bearer(exp=int(time.time()) - 5), "The token has expired; sign in again with a fresh one."),
    ({"Authorization": "Bearer " + mint_token("another-secret-another-secret-0123", "s", "admin", ["*"])},
     "The token's signature does not match: it was altered or issued elsewhere."),
])
async def test_each_refused_token_says_why_in_a_sentence(apps, headers, message):
    response = await call(apps["credits"], "POST", "/v1/locations/l-1/clients/c-1/account/adjustments",
                          headers=headers, json={"amount_minor": 1, "currency": "USD", "note": "n"})

    assert assert_problem(response, 401)["message"] == message


async def test_a_location_the_token_does_not_allow_is_403_in_a_sentence(apps):
    response = await call(apps["reports"], "GET", "/v1/locations/l-2/clients/c-1/account/history",
                          headers=bearer("reporting", ["l-1"]))

    assert assert_problem(response, 403)["message"] == "This token does not allow that location."
