"""Every service serves Swagger UI at /docs and ReDoc at /redoc from its own files: nothing on
either page, nor in what they load, names another host, so both work without the internet."""

import re

import httpx
import pytest

from services.bookings.bootstrap import assemble as bookings
from services.credits.bootstrap import assemble as credits
from services.notifier.bootstrap import assemble as notifier
from services.reports.bootstrap import assemble as reports
from shared.wiring.service import create_app
from shared.wiring.settings import Settings

SERVICES = {"bookings": (bookings, 8001), "credits": (credits, 8002), "reports": (reports, 8003),
            "notifier": (notifier, 8004)}
SECRET = "unit-test-secret-for-the-api-docs-0123456789"
REFERENCES = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']|url: *'([^']+)'""")


def app_of(name: str):
    assemble, port = SERVICES[name]
    settings = Settings.for_service(name, port).model_copy(update={"staff_jwt_secret": SECRET})
    return create_app(settings, assemble)


async def page(app, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as http:
        return await http.get(path)


@pytest.mark.parametrize("name", sorted(SERVICES))
@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_the_api_docs_reference_only_the_services_own_files(name, path):
    app = app_of(name)

    response = await page(app, path)
    references = [a or b for a, b in REFERENCES.findall(response.text)]

    assert response.status_code == 200 and references
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", response.text, re.IGNORECASE)
    for reference in references:
        assert reference.startswith("/"), reference
        assert (await page(app, reference)).status_code == 200, reference


async def test_the_docs_pages_are_not_operations_of_the_api():
    paths = (await page(app_of("notifier"), "/openapi.json")).json()["paths"]

    assert not {"/docs", "/redoc", "/docs/oauth2-redirect"} & set(paths)
