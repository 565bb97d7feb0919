"""An oversized request body is refused with 413 before any route reads it; an unreadable one is
a 422 naming the body, like any other invalid input."""

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from shared.wiring.http import MAX_REQUEST_BYTES, install_error_handlers


class Note(BaseModel):
    text: str


@pytest.fixture
def client():
    app = FastAPI()
    install_error_handlers(app)
    seen = []

    @app.post("/notes")
    async def add(note: Note) -> dict:
        seen.append(note)
        return {"length": len(note.text)}

    app.state.seen = seen
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test"), seen


def _body(size: int) -> bytes:
    return b'{"text": "' + b"x" * (size - 12) + b'"}'


async def test_a_body_up_to_the_limit_is_served(client):
    http, seen = client

    response = await http.post("/notes", content=_body(MAX_REQUEST_BYTES), headers={"content-type": "application/json"})

    assert response.status_code == 200 and len(seen) == 1


async def test_a_body_over_the_limit_is_refused_with_413_naming_the_limit(client):
    http, seen = client

    response = await http.post("/notes", content=_body(MAX_REQUEST_BYTES + 1),
                               headers={"content-type": "application/json"})

    assert response.status_code == 413 and str(MAX_REQUEST_BYTES) in response.json()["message"]
    assert seen == []


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(client):
    http, seen = client

    async def chunks():
        for _ in range(3):
            yield b"x" * (MAX_REQUEST_BYTES // 2)

    response = await http.post("/notes", content=chunks(), headers={"content-type": "application/json"})

    assert response.status_code == 413 and seen == []


async def test_a_body_that_is_not_utf8_text_is_422_naming_the_body(client):
    http, seen = client

    response = await http.post("/notes", content=b'{"text": "\xff\xfe"}', headers={"content-type": "application/json"})

    assert response.status_code == 422 and seen == []
    assert response.json()["message"] == "The request body is not JSON text in UTF-8."


async def test_other_http_errors_keep_their_status_and_headers():
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/private")
    async def private() -> dict:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        response = await http.get("/private")

    assert (response.status_code, response.headers["www-authenticate"]) == (401, "Bearer")
