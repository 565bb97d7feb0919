"""The staff token secret of the local system: STAFF_JWT_SECRET if set, else var/staff-jwt-secret,
written once with a random value (mode 600) the first time it is asked for.

    python -m deploy.local.secret      # prints it (deploy/local/services.sh and `make token` use it)
"""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET_FILE = ROOT / "var" / "staff-jwt-secret"


def staff_secret(path: Path = SECRET_FILE) -> str:
    given = os.environ.get("STAFF_JWT_SECRET")
    if given:
        return given
    if not path.exists():
        _create(path)
    return path.read_text().strip()


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: two first runs at once keep one secret, the first one written
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_urlsafe(48) + "\n")


if __name__ == "__main__":
    print(staff_secret())
