"""A service refuses to start with a staff secret strangers could know; `make up` makes its own."""

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.local import secret as local_secret
from services.reports.bootstrap import assemble
from shared.wiring.service import create_app
from shared.wiring.settings import Settings
from shared.wiring.staff_secret import PUBLISHED_DEFAULTS, WeakStaffSecret

ROOT = Path(__file__).resolve().parents[2]
STRONG = "a-strong-secret-of-more-than-32-bytes-0123456789"


def reports_with(secret: str, **settings):
    base = Settings.for_service("reports", 8003).model_copy(update={"staff_jwt_secret": secret, **settings})
    return create_app(base, assemble)


@pytest.mark.parametrize("secret", ["", "short", "x" * 31, *sorted(PUBLISHED_DEFAULTS)])
def test_a_service_refuses_to_start_with_a_short_or_published_secret(secret):
    with pytest.raises(WeakStaffSecret, match="ALLOW_WEAK_STAFF_SECRET=1"):
        reports_with(secret)


def test_a_service_starts_with_a_weak_secret_only_when_told_it_is_a_development_machine():
    assert reports_with("local-dev-secret-change-me", allow_weak_staff_secret=True) is not None
    assert reports_with("x" * 32) is not None and reports_with(STRONG) is not None


def test_the_refusal_is_a_clear_exit_not_a_traceback():
    env = {"STAFF_JWT_SECRET": "local-dev-secret-change-me", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}

    run = subprocess.run([sys.executable, "-m", "services.credits"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)

    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "credits refuses to start: STAFF_JWT_SECRET is a default published in this repository" in run.stderr


def test_the_switch_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ALLOW_WEAK_STAFF_SECRET", "1")

    assert Settings().allow_weak_staff_secret is True


def test_the_local_secret_is_made_once_random_and_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("STAFF_JWT_SECRET", raising=False)
    path = tmp_path / "var" / "staff-jwt-secret"

    first, again = local_secret.staff_secret(path), local_secret.staff_secret(path)

    assert first == again and len(first.encode()) >= 32 and first not in PUBLISHED_DEFAULTS
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret.staff_secret(tmp_path / "other") != first


def test_a_secret_in_the_environment_wins_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFF_JWT_SECRET", STRONG)

    assert local_secret.staff_secret(tmp_path / "staff-jwt-secret") == STRONG
    assert not (tmp_path / "staff-jwt-secret").exists()


def test_no_published_default_is_left_in_what_starts_the_system():
    files = ["Makefile", "docker-compose.yml", "deploy/local/services.sh", "deploy/local/token.py"]
    found = {name: [d for d in PUBLISHED_DEFAULTS if d in (ROOT / name).read_text()] for name in files}

    assert found == {name: [] for name in files}
