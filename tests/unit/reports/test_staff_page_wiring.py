"""The reports service serves the staff page, tells it where the other services answer, and every
service lets that page call it from the browser (CORS), without touching Kafka or the database."""

import re
from pathlib import Path

import httpx
import pytest

from services.reports.bootstrap import assemble
from shared.wiring.auth import mint_token
from shared.wiring.service import create_app
from shared.wiring.settings import Settings

SECRET = "unit-test-secret-for-the-staff-page-0123456789"


def reports_app(**settings):
    base = Settings.for_service("reports", 8003).model_copy(update={"staff_jwt_secret": SECRET, **settings})
    return create_app(base, assemble)


async def get(app, path: str, **kwargs) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8003") as http:
        return await http.request(kwargs.pop("method", "GET"), path, **kwargs)


async def test_the_page_and_its_modules_are_served_under_staff():
    app = reports_app()

    page = await get(app, "/staff/")
    module = await get(app, "/staff/js/app.js")

    assert page.status_code == 200 and '<script type="module" src="js/app.js">' in page.text
    assert module.headers["content-type"].startswith("text/javascript")
    assert (await get(app, "/staff")).status_code == 307


async def test_the_config_derives_the_other_services_from_the_port_layout():
    assert (await get(reports_app(), "/staff/config.json")).json() == {
        "credits_url": "http://127.0.0.1:8002", "notifier_url": "http://127.0.0.1:8004"}


async def test_the_config_takes_the_urls_from_the_environment_when_set():
    app = reports_app(credits_url="https://credits.example", notifier_url="https://notifier.example")

    assert (await get(app, "/staff/config.json")).json() == {
        "credits_url": "https://credits.example", "notifier_url": "https://notifier.example"}


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8003", "http://localhost:18003", "https://staff.example"])
async def test_a_preflight_from_the_page_or_a_configured_origin_is_allowed(origin):
    app = reports_app(staff_page_origins="https://staff.example")
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"}

    response = await get(app, "/v1/reports/account-balances", method="OPTIONS", headers=headers)

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-credentials" not in response.headers


async def test_a_preflight_from_another_origin_is_refused():
    headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}

    response = await get(reports_app(), "/v1/reports/account-balances", method="OPTIONS", headers=headers)

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_me_names_the_role_and_only_the_locations_of_a_narrow_token():
    token = mint_token(SECRET, "staff-9", "reporting", ["studio-2", "studio-1"])

    response = await get(reports_app(), "/v1/me", headers={"Authorization": f"Bearer {token}"})

    body = response.json()
    names = body.pop("location_names")
    assert body == {"sub": "staff-9", "role": "reporting", "whole_brand": False, "locations": ["studio-1", "studio-2"]}
    assert sorted(names) == ["studio-1", "studio-2"]


async def test_me_needs_a_token():
    assert (await get(reports_app(), "/v1/me")).status_code == 401


WEB = Path(__file__).resolve().parents[3] / "services" / "reports" / "entrypoints" / "staff_page" / "web"
IMPORT = re.compile(r"""(?:from\s+|import\s*\(\s*)["'](\./[\w./-]+)["']""")


async def test_every_module_of_the_page_is_served_as_javascript():
    app = reports_app()

    for module in sorted((WEB / "js").glob("*.js")):
        response = await get(app, f"/staff/js/{module.name}")
        assert response.status_code == 200, module.name
        assert response.headers["content-type"].startswith("text/javascript"), module.name


def test_every_import_of_the_page_names_a_module_that_exists():
    """A renamed or missing module would leave a screen blank with only a console error."""
    for module in (WEB / "js").glob("*.js"):
        for target in IMPORT.findall(module.read_text()):
            assert (module.parent / target).resolve().is_file(), f"{module.name} imports {target}"


def test_the_page_has_the_header_slots_the_modules_fill():
    page = (WEB / "index.html").read_text()

    for slot in ('id="search"', 'id="who"', 'id="tabs"', 'id="banner"', 'id="main"', 'id="message-dialog"'):
        assert slot in page
