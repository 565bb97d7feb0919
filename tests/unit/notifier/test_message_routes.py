"""A client's message history refuses ids that are not identifiers before any query runs: a 422
naming the parameter (a NUL once reached FerretDB and came back as a 500)."""

from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from services.notifier.entrypoints import dependencies, routes
from shared.wiring.auth import mint_token
from shared.wiring.dependencies import SETTINGS
from shared.wiring.http import install_error_handlers

SECRET = "unit-secret-unit-secret-unit-secret"


class Store:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    async def client_messages(self, location: str, client_id: str) -> list[dict]:
        self.asked.append((location, client_id))
        return []


@pytest.fixture
def served():
    app, store = FastAPI(), Store()
    install_error_handlers(app)
    app.include_router(routes.router)
    app.dependency_overrides.update({SETTINGS: lambda: SimpleNamespace(staff_jwt_secret=SECRET),
                                     dependencies.STORE: lambda: store})
    token = mint_token(SECRET, "staff-1", "admin", ["l-1"])
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test",
                             headers={"Authorization": f"Bearer {token}"})
    return http, store


@pytest.mark.parametrize("client_id", ["a\x00b", "two words", "", "x" * 65])
async def test_a_client_id_that_is_not_an_identifier_is_422_naming_it(served, client_id):
    http, store = served

    response = await http.get("/v1/messages", params={"location": "l-1", "client_id": client_id})

    assert response.status_code == 422 and "client_id" in response.text
    assert store.asked == []


async def test_a_valid_request_reads_the_clients_messages(served):
    http, store = served

    response = await http.get("/v1/messages", params={"location": "l-1", "client_id": "c-1"})

    assert (response.status_code, response.json(), store.asked) == (200, {"items": []}, [("l-1", "c-1")])
