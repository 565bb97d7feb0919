"""docker-compose.yml runs every service, on its contract port, wired to Kafka, MongoDB and SMTP."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SERVICES_DIR = ROOT / "services"

CONTRACT_PORTS = {"bookings": 8001, "credits": 8002, "reports": 8003, "notifier": 8004}
REQUIRED_VARIABLES = ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL", "STAFF_JWT_SECRET", "SMTP_URL")
INFRASTRUCTURE = ("kafka", "mongodb")


def _platform_services() -> list[str]:
    """The contract services plus any package under services/ that can be run with -m."""
    found = set(CONTRACT_PORTS)
    for path in SERVICES_DIR.iterdir():
        if path.is_dir() and (path / "__main__.py").is_file():
            found.add(path.name)
    return sorted(found)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _command(definition: dict) -> list[str]:
    command = definition.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _environment(definition: dict) -> dict[str, str]:
    environment = definition.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {str(key): "" if value is None else str(value) for key, value in environment.items()}


def _published_ports(definition: dict) -> list[tuple[int, int]]:
    """(host, container) pairs, from both the short and the long port syntax."""
    pairs = []
    for entry in definition.get("ports") or []:
        if isinstance(entry, dict):
            pairs.append((int(entry["published"]), int(entry["target"])))
        else:
            parts = str(entry).split("/")[0].split(":")
            pairs.append((int(parts[-2]), int(parts[-1])))
    return pairs


def _host_addresses(definition: dict) -> list[str | None]:
    """The host address each published port binds to (None: every interface)."""
    found = []
    for entry in definition.get("ports") or []:
        if isinstance(entry, dict):
            found.append(entry.get("host_ip"))
        else:
            parts = str(entry).split("/")[0].split(":")
            found.append(":".join(parts[:-2]) or None)
    return found


def _compose_service_running(compose: dict, name: str) -> tuple[str, dict]:
    module = f"services.{name}"
    matches = [
        (key, definition)
        for key, definition in compose["services"].items()
        if module in _command(definition)
    ]
    assert len(matches) == 1, f"expected one compose service running {module}, found {len(matches)}"
    return matches[0]


def _service_definitions(compose: dict) -> list[tuple[str, dict]]:
    return [(name, _compose_service_running(compose, name)[1]) for name in _platform_services()]


def test_every_service_in_the_repository_is_started_by_a_compose_service(compose):
    for name in _platform_services():
        key, definition = _compose_service_running(compose, name)
        assert key == name
        assert definition.get("build") is not None, f"{name} should be built from this repository"


def test_every_service_is_reachable_on_its_contract_port(compose):
    for name, port in CONTRACT_PORTS.items():
        _, definition = _compose_service_running(compose, name)
        assert (port, port) in _published_ports(definition), f"{name} should publish {port}:{port}"


def test_every_service_listens_on_the_port_that_compose_publishes_for_it(compose):
    for name, definition in _service_definitions(compose):
        port = _environment(definition).get("PORT")
        assert port, f"{name} gets no PORT"
        assert int(port) in [target for _, target in _published_ports(definition)], name
        if name in CONTRACT_PORTS:
            assert int(port) == CONTRACT_PORTS[name], name


def test_every_service_is_told_where_kafka_mongodb_smtp_and_the_staff_secret_are(compose):
    for name, definition in _service_definitions(compose):
        environment = _environment(definition)
        missing = [variable for variable in REQUIRED_VARIABLES if not environment.get(variable)]
        assert not missing, f"{name} is missing {missing}"


def test_every_service_uses_the_kafka_address_the_broker_advertises(compose):
    advertised = _environment(compose["services"]["kafka"])["KAFKA_ADVERTISED_LISTENERS"]
    addresses = {listener.split("://", 1)[1] for listener in advertised.split(",")}
    for name, definition in _service_definitions(compose):
        servers = _environment(definition)["KAFKA_BOOTSTRAP_SERVERS"].split(",")
        assert set(servers) <= addresses, f"{name} uses {servers}, broker advertises {addresses}"


def test_every_service_starts_only_once_kafka_and_mongodb_are_healthy(compose):
    for name, definition in _service_definitions(compose):
        depends_on = definition.get("depends_on") or {}
        assert isinstance(depends_on, dict), f"{name} should wait on health, not on start"
        for dependency in INFRASTRUCTURE:
            condition = (depends_on.get(dependency) or {}).get("condition")
            assert condition == "service_healthy", f"{name} should wait for {dependency} to be healthy"
            assert compose["services"][dependency].get("healthcheck"), f"{dependency} has no healthcheck"


def _environment_names_settings_reads() -> set[str]:
    from pydantic import AliasChoices

    from shared.wiring.settings import Settings

    prefix = Settings.model_config.get("env_prefix") or ""
    names = set()
    for field_name, field in Settings.model_fields.items():
        names.add(f"{prefix}{field_name}".lower())
        for alias in (field.alias, field.validation_alias):
            choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
            names.update(choice.lower() for choice in choices if isinstance(choice, str))
    return names


def test_every_variable_compose_sets_for_a_service_is_a_known_setting(compose):
    known = _environment_names_settings_reads()
    for name, definition in _service_definitions(compose):
        unknown = sorted(v for v in _environment(definition) if v.lower() not in known)
        assert not unknown, f"{name} is given variables Settings does not read: {unknown}"


def test_every_published_port_listens_on_loopback_only(compose):
    exposed = {name: addresses for name, definition in compose["services"].items()
               if (addresses := [a for a in _host_addresses(definition) if a != "127.0.0.1"])}

    assert exposed == {}, f"published on every interface: {exposed}"


def test_compose_refuses_to_start_without_a_staff_secret(compose):
    for name, definition in _service_definitions(compose):
        value = _environment(definition)["STAFF_JWT_SECRET"]
        assert re.fullmatch(r"\$\{STAFF_JWT_SECRET:\?[^}]+\}", value), f"{name} has a default secret: {value}"


def test_no_compose_value_holds_a_published_default_secret():
    from shared.wiring.staff_secret import PUBLISHED_DEFAULTS

    text = COMPOSE_FILE.read_text()
    assert [default for default in PUBLISHED_DEFAULTS if default in text] == []
