"""The secret that signs staff tokens: a service refuses to start with a weak one.

Anyone who knows the secret can mint an admin token for every location, so a secret shorter than
32 bytes (RFC 7518 asks HS256 keys for at least 256 bits) or one that was ever published as a
default in this repository is refused at start-up, unless ALLOW_WEAK_STAFF_SECRET=1 says this is
a development machine on purpose. `make up` writes a random one under var/ (deploy/local/secret.py).
"""

MIN_BYTES = 32

PUBLISHED_DEFAULTS = frozenset({
    # Every default STAFF_JWT_SECRET this repository ever shipped (`git log -p | grep STAFF_JWT_SECRET`):
    "local-dev-secret-change-me",  # Makefile, deploy/local/services.sh, deploy/local/token.py
    "change-me-in-production",  # docker-compose.yml
})


class WeakStaffSecret(ValueError):
    """STAFF_JWT_SECRET would let strangers mint tokens; the message says what to do."""


def weakness(secret: str) -> str | None:
    """Why `secret` must not sign tokens, or None if it may."""
    if secret.strip() in PUBLISHED_DEFAULTS:
        return "STAFF_JWT_SECRET is a default published in this repository"
    if len(secret.encode()) < MIN_BYTES:
        return f"STAFF_JWT_SECRET has {len(secret.encode())} bytes; at least {MIN_BYTES} are needed"
    return None


def check_staff_secret(secret: str, allow_weak: bool) -> None:
    """Raises WeakStaffSecret unless the secret is strong or weakness is allowed on purpose."""
    why = weakness(secret)
    if why and not allow_weak:
        raise WeakStaffSecret(f"{why}. Set it to a random value (e.g. `openssl rand -hex 32`), "
                              "or set ALLOW_WEAK_STAFF_SECRET=1 on a development machine.")
