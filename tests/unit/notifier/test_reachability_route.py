"""The staff page asks whether a client can be emailed, and shows the sentence when not."""

from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from services.notifier.entrypoints import dependencies, reachability
from shared.wiring.auth import mint_token
from shared.wiring.dependencies import SETTINGS
from shared.wiring.http import install_error_handlers

SECRET = "unit-secret-unit-secret-unit-secret"
MEMBERS = {"l-1|c-ok": {"profile": {"email": "ana@studio.local"}},
           "l-1|c-bad": {"profile": {"email": "ana at studio"}},
           "l-1|c-out": {"profile": {"email": "ana@x.com", "email_opt_out": True}}}


class Store:
    async def member(self, key: str) -> dict | None:
        return MEMBERS.get(key)


def client(role: str = "admin", locations: tuple[str, ...] = ("l-1",)) -> httpx.AsyncClient:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(reachability.router)
    app.dependency_overrides.update({SETTINGS: lambda: SimpleNamespace(staff_jwt_secret=SECRET),
                                     dependencies.STORE: Store})
    token = mint_token(SECRET, "staff-1", role, list(locations))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test",
                             headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(("client_id", "answer"), [
    ("c-ok", {"reachable": True, "reason": None}),
    ("c-bad", {"reachable": False, "reason": "The email address 'ana at studio' is not an address: "
                                             "An email address must have an @-sign."}),
    ("c-out", {"reachable": False, "reason": "The client opted out of email."}),
    ("c-unknown", {"reachable": False, "reason": "No email address on file."}),
])
async def test_reachability_says_whether_and_why_not(client_id, answer):
    response = await client().get(f"/v1/locations/l-1/clients/{client_id}/reachability")

    assert (response.status_code, response.json()) == (200, answer)


async def test_reachability_is_for_admins_of_the_location():
    assert (await client(role="reporting").get("/v1/locations/l-1/clients/c-ok/reachability")).status_code == 403
    assert (await client(locations=("l-2",)).get("/v1/locations/l-1/clients/c-ok/reachability")).status_code == 403
