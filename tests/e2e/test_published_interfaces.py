"""Each service documents what it serves: AsyncAPI for its topics, OpenAPI for its routes."""

import httpx
import pytest

pytestmark = pytest.mark.e2e

SUBSCRIBES = {
    "credits": {"studio.locations.v1", "studio.sales.v1", "studio.bookings.lifecycle.v1"},
    "reports": {"studio.locations.v1", "studio.clients.v1", "studio.credits.v1"},
    "notifier": {"studio.locations.v1", "studio.clients.v1", "studio.credits.v1"},
}
ROUTES = {
    "credits": {
        "/v1/locations/{location_id}/clients/{client_id}/packages/{package_id}/adjustments",
        "/v1/locations/{location_id}/clients/{client_id}/memberships/{membership_id}/periods/{period_start}/adjustments",
        "/v1/locations/{location_id}/clients/{client_id}/account/adjustments",
    },
    "reports": {
        "/v1/locations/{location_id}/clients/{client_id}/credits",
        "/v1/locations/{location_id}/clients/{client_id}/account/history",
        "/v1/locations/{location_id}/clients",
        "/v1/reports/clients-with-account-credit", "/v1/reports/session-credits-remaining",
        "/v1/reports/account-balances", "/v1/reports/balance-movements",
    },
    "notifier": {"/v1/audiences", "/v1/audiences/{audience_id}/members", "/v1/templates", "/v1/messages",
                 "/v1/journeys", "/v1/newsletters"},
}


@pytest.mark.parametrize("service", sorted(SUBSCRIBES))
def test_the_asyncapi_document_lists_the_topics_the_service_consumes(system, service):
    spec = httpx.get(f"{system[service].url}/asyncapi.json").json()

    addresses = {channel["address"] for channel in spec["channels"].values()}
    assert spec["asyncapi"].startswith("3.")
    assert SUBSCRIBES[service] <= addresses


@pytest.mark.parametrize("service", sorted(SUBSCRIBES))
def test_the_asyncapi_document_describes_the_location_events_with_their_zone(system, service):
    spec = httpx.get(f"{system[service].url}/asyncapi.json").json()

    schemas = str(spec["components"])
    assert all(t in schemas for t in ("location.registered", "location.updated", "time_zone"))


def test_the_credits_asyncapi_document_describes_what_it_publishes(system):
    spec = httpx.get(f"{system['credits'].url}/asyncapi.json").json()

    published = [c for c in spec["channels"].values() if c["address"] == "studio.credits.v1"]
    schemas = str(spec["components"])
    assert published and all(t in schemas for t in ("credit.reserved", "package.changed", "account.entry_recorded"))


@pytest.mark.parametrize("service", sorted(ROUTES))
def test_the_openapi_document_lists_the_contract_routes(system, service):
    spec = httpx.get(f"{system[service].url}/openapi.json").json()

    assert ROUTES[service] <= set(spec["paths"])


@pytest.mark.parametrize("service", ["bookings", "credits", "reports", "notifier"])
def test_every_service_reports_health_and_metrics(system, service):
    base = system[service].url

    assert httpx.get(f"{base}/health/live").status_code == 200
    assert httpx.get(f"{base}/health/ready").json() == {"ready": True, "checks": {"kafka": True, "mongodb": True,
                                                                                   "consumers": True}}
    assert "process_resident_memory_bytes" in httpx.get(f"{base}/metrics").text
