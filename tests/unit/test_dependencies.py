"""A route is given what its own app bound, by type; a test's `dependency_overrides` wins."""

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI

from shared.wiring.dependencies import Provider, Unbound, provide

GREETING = Provider[str]("greeting")
router = APIRouter()


@router.get("/hello")
async def hello(greeting: Annotated[str, Depends(GREETING)]) -> dict:
    return {"said": greeting}


def app_saying(*bindings) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    provide(app, bindings)
    return app


async def said(app: FastAPI) -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        return (await http.get("/hello")).json()["said"]


async def test_two_apps_on_one_router_each_give_what_they_bound():
    first, second = app_saying(GREETING.bind("hello")), app_saying(GREETING.bind("bonjour"))

    assert (await said(first), await said(second)) == ("hello", "bonjour")


async def test_a_test_override_replaces_the_binding():
    app = app_saying(GREETING.bind("hello"))
    app.dependency_overrides[GREETING] = lambda: "fake"

    assert await said(app) == "fake"


async def test_a_route_asking_for_something_never_bound_names_it():
    with pytest.raises(Unbound, match="'greeting'"):
        await said(app_saying())
