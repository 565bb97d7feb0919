"""Who may call what, on every endpoint of the four running services (taken from their OpenAPI).

- a missing, tampered, expired, `alg: none`, foreign-secret or garbage token → 401 everywhere;
- an admin token for location A on anything of location B (lists, CSV, history, credits,
  adjustments, bookings, audiences, journeys, newsletters, messages) → 403, and A's lists and
  CSV never show B's rows;
- a reporting token on every admin write → 403.

Each operation is built from the OpenAPI document, so a new endpoint is checked as soon as it
exists; a new request body or an endpoint that names no location must be added here on purpose.
"""

import base64
import json
import time
import warnings

import httpx
import jwt
import pytest

from shared.contract.topics import CLIENTS, SALES
from tests.conftest import SECRET, auth, token
from tests.support import events as ev
from tests.support.kafka import Platform, eventually

pytestmark = pytest.mark.e2e

SERVICES = ("bookings", "credits", "reports", "notifier")
NOT_STAFF_API = ("/health/live", "/health/ready")
BRAND_WIDE = {  # operations that name no location, on purpose
    ("notifier", "POST", "/v1/templates"): "templates are shared by the brand's locations",
    ("notifier", "GET", "/v1/templates"): "templates are shared by the brand's locations",
    ("notifier", "GET", "/v1/templates/merge-fields"): "the merge fields are the same everywhere",
    ("reports", "GET", "/v1/me"): "who the token says the caller is",
}
CLIENT = "cli-access"


def _encode(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def _tampered() -> str:
    """A real reporting token whose payload now claims admin: the signature no longer matches."""
    header, _, signature = token("reporting", ["loc-a"]).split(".")
    claims = {"sub": "staff-1", "role": "admin", "locations": ["*"], "exp": int(time.time()) + 600}
    return f"{header}.{_encode(claims)}.{signature}"


def _claims(**changes) -> dict:
    return {"sub": "staff-1", "role": "admin", "locations": ["*"], "exp": int(time.time()) + 600, **changes}


def _signed_hs512() -> str:
    """Right secret, wrong algorithm: only HS256 is accepted (PyJWT warns the key is short for it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jwt.encode(_claims(), SECRET, algorithm="HS512")


BAD_TOKENS = {
    "missing": None,
    "garbage": "not-a-jwt",
    "tampered": _tampered(),
    "expired": jwt.encode(_claims(exp=int(time.time()) - 60), SECRET, algorithm="HS256"),
    "alg-none": jwt.encode(_claims(), None, algorithm="none"),
    "alg-none-with-signature": _encode({"alg": "none", "typ": "JWT"}) + "." + _encode(_claims()) + ".x",
    "other-secret": jwt.encode(_claims(), "someone-elses-secret-0123456789abcdef", algorithm="HS256"),
    "hs512": _signed_hs512(),
}


@pytest.fixture(scope="module")
def operations(system) -> list[tuple[str, str, str, dict]]:
    """(service, METHOD, path template, operation) of every staff endpoint."""
    found = []
    for service in SERVICES:
        spec = httpx.get(f"{system[service].url}/openapi.json").json()
        for path, methods in spec["paths"].items():
            found += [(service, method.upper(), path, op) for method, op in methods.items() if path not in NOT_STAFF_API]
    return found


@pytest.fixture(scope="module")
async def location_b(system, servers):
    """Location B with a client in credit, an audience and a template, made by a whole-brand admin."""
    location_a, location_b = ev.unique("loc-a"), ev.unique("loc-b")
    platform = Platform(servers.kafka)
    await platform.start()
    try:
        await platform.publish(CLIENTS.name, ev.client_registered(location_b, CLIENT))
        await platform.publish(SALES.name, ev.account_transaction(location_b, CLIENT, "payment", 5000))
        await platform.publish(SALES.name, ev.package_purchased(location_b, CLIENT, "pack-b"))
    finally:
        await platform.stop()
    notifier = system["notifier"].url
    async with httpx.AsyncClient(base_url=notifier, headers=auth()) as http:
        audience = (await http.post("/v1/audiences", json={
            "name": "B owing", "location_ids": [location_b],
            "condition": {"field": "account_balance_minor", "op": "lt", "value": 0}})).json()["audience_id"]
        template = (await http.post("/v1/templates", json={"name": "t", "subject": "s", "body": "b"})).json()
    await eventually(lambda: _listed(system, location_b), timeout=30)
    return {"a": location_a, "b": location_b, "audience": audience, "template": template["template_id"]}


async def _listed(system, location: str) -> bool:
    async with httpx.AsyncClient(base_url=system["reports"].url) as http:
        response = await http.get("/v1/reports/clients-with-account-credit", params={"location": location},
                                  headers=auth())
        return response.status_code == 200 and bool(response.json()["items"])


def _body(schema_ref: str | None, target: dict) -> dict | None:
    bodies = {
        "BookingRequest": {"client_id": CLIENT, "session_id": "s-1", "session_name": "Yoga",
                           "session_starts_at": "2030-01-01T09:00:00+00:00"},
        "CancelRequest": {"late": False},
        "PackageAdjustment": {"action": "add", "credits": 1},
        "PeriodAdjustment": {"action": "add", "credits": 1},
        "AccountAdjustment": {"amount_minor": 100, "currency": "USD", "note": "access test"},
        "AudienceRequest": {"name": "n", "location_ids": [target["b"]],
                            "condition": {"field": "account_balance_minor", "op": "lt", "value": 0}},
        "TemplateRequest": {"name": "t", "subject": "s", "body": "b"},
        "JourneyRequest": {"name": "j", "audience_id": target["audience"],
                           "steps": [{"after": "PT1H", "template_id": target["template"]}]},
        "NewsletterRequest": {"audience_id": target["audience"], "template_id": target["template"],
                              "send_at": "2030-01-01T00:00:00+00:00"},
        "MessageRequest": {"location_id": target["b"], "client_id": CLIENT, "template_id": target["template"]},
    }
    if schema_ref is None:
        return None
    name = schema_ref.rsplit("/", 1)[-1]
    assert name in bodies, f"add a valid {name} body to this test, naming location B where it names one"
    return bodies[name]


def _path_value(name: str, target: dict) -> str:
    return {"location_id": target["b"], "client_id": CLIENT, "period_start": "2026-11-01",
            "audience_id": target["audience"]}.get(name, "x-1")


def _query(op: dict, target: dict) -> dict:
    fill = {"location": target["b"], "client_id": CLIENT, "from": "2026-01-01", "to": "2026-12-31"}
    return {p["name"]: fill[p["name"]] for p in op.get("parameters", [])
            if p["in"] == "query" and (p.get("required") or p["name"] == "location")}


def request_for(operation, target: dict) -> dict:
    service, method, path, op = operation
    url = path.format(**{p["name"]: _path_value(p["name"], target)
                         for p in op.get("parameters", []) if p["in"] == "path"})
    ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    return {"method": method, "url": url, "params": _query(op, target), "json": _body(ref, target)}


def names_location_b(operation, target: dict) -> bool:
    request = request_for(operation, target)
    text = json.dumps([request["url"], request["params"], request["json"]])
    return target["b"] in text or target["audience"] in text


async def _call(system, operation, target, headers) -> httpx.Response:
    request = request_for(operation, target)
    async with httpx.AsyncClient(base_url=system[operation[0]].url, timeout=10) as http:
        return await http.request(request["method"], request["url"], params=request["params"], json=request["json"],
                                  headers={**headers, "Idempotency-Key": f"access-{time.time_ns()}"})


def _label(operation) -> str:
    return f"{operation[0]} {operation[1]} {operation[2]}"


async def test_every_endpoint_but_the_named_brand_wide_ones_is_location_scoped(operations, location_b):
    unscoped = [(s, m, p) for s, m, p, op in operations if not names_location_b((s, m, p, op), location_b)]

    assert set(unscoped) == set(BRAND_WIDE)


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
async def test_a_bad_token_is_401_on_every_endpoint(system, operations, location_b, kind):
    headers = {} if BAD_TOKENS[kind] is None else {"Authorization": f"Bearer {BAD_TOKENS[kind]}"}

    answers = {_label(op): (await _call(system, op, location_b, headers)).status_code for op in operations}

    assert answers == {label: 401 for label in answers}


async def test_a_token_for_location_a_is_refused_everything_of_location_b(system, operations, location_b):
    headers = auth("admin", [location_b["a"]])
    scoped = [op for op in operations if (op[0], op[1], op[2]) not in BRAND_WIDE]

    answers = {}
    for op in scoped:
        response = await _call(system, op, location_b, headers)
        answers[_label(op)] = response.status_code
        assert location_b["b"] not in response.text

    assert answers == {label: 403 for label in answers}


async def test_a_reporting_token_is_refused_every_admin_write(system, operations, location_b):
    writes = [op for op in operations if op[1] in ("POST", "PUT", "PATCH", "DELETE")]

    answers = {_label(op): (await _call(system, op, location_b, auth("reporting", ["*"]))).status_code
               for op in writes}

    assert len(writes) >= 10 and answers == {label: 403 for label in answers}


@pytest.mark.parametrize("report", ["clients-with-account-credit", "session-credits-remaining", "account-balances"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
async def test_the_lists_of_location_a_never_show_location_b(system, location_b, report, fmt):
    async with httpx.AsyncClient(base_url=system["reports"].url) as http:
        mine = await http.get(f"/v1/reports/{report}", params={"format": fmt},
                              headers=auth("reporting", [location_b["a"]]))
        everyone = await http.get(f"/v1/reports/{report}", params={"format": fmt, "location": location_b["b"]},
                                  headers=auth("reporting", ["*"]))

    assert mine.status_code == everyone.status_code == 200
    assert location_b["b"] in everyone.text and location_b["b"] not in mine.text
