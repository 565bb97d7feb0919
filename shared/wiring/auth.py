"""Staff authentication: `Authorization: Bearer <JWT>` (HS256, secret STAFF_JWT_SECRET).

Claims: `sub` (staff id, the actor of every change), `role` (`admin` | `reporting`),
`locations` (location ids, or ["*"] for the whole brand) and `exp` (required: a token that never
expires is refused). Missing, malformed, expired or foreign token → 401 with a sentence saying
which (never the decoder's own text); a role or location not allowed → 403.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import jwt
from cachetools import LRUCache
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.wiring.dependencies import ServiceSettings

Role = Literal["admin", "reporting"]
ALL_LOCATIONS = "*"

_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Staff:
    id: str
    role: Role
    locations: frozenset[str]

    @property
    def whole_brand(self) -> bool:
        return ALL_LOCATIONS in self.locations

    def may_see(self, location_id: str) -> bool:
        return self.whole_brand or location_id in self.locations

    def require_location(self, location_id: str) -> None:
        if not self.may_see(location_id):
            # not naming it: an answer never echoes another location's id (tests/security)
            raise HTTPException(status.HTTP_403_FORBIDDEN, "This token does not allow that location.")

    def visible(self, requested: Iterable[str]) -> list[str]:
        """The requested locations, all of which must be allowed (403 otherwise)."""
        wanted = list(dict.fromkeys(requested))
        for location_id in wanted:
            self.require_location(location_id)
        return wanted


def decode_token(token: str, secret: str) -> Staff:
    """Raises jwt.InvalidTokenError (covers expired, tampered and `alg: none` tokens)."""
    return _verified.staff(token, secret)


def _verify(token: str, secret: str) -> tuple[Staff, float]:
    """The staff member a token names and when it expires."""
    claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["sub", "role", "exp"]})
    role, locations = claims.get("role"), claims.get("locations", [])
    if role not in ("admin", "reporting") or not isinstance(locations, list):
        raise jwt.InvalidTokenError("role or locations claim is malformed")
    staff = Staff(id=str(claims["sub"]), role=role, locations=frozenset(map(str, locations)))
    return staff, float(claims["exp"])


class VerifiedTokens:
    """Tokens already verified, so a staff tool sending the same token with every request pays
    for the signature and claims once (PyJWT's decode is a visible share of a service's CPU:
    docs/services/bookings.md). Sound because a token that verified once stays valid until its `exp`:
    `nbf` and `iat` only move into the past. Past `exp` it is refused as expired, as PyJWT would.
    Keyed by secret and token, so any change to either, tampering included, is a miss and a full
    verification; failures are never remembered."""

    def __init__(self, size: int = 10_000, now=time.time) -> None:
        self._known: LRUCache[tuple[str, str], tuple[Staff, float]] = LRUCache(size)
        self._now = now

    def staff(self, token: str, secret: str) -> Staff:
        key = (secret, token)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = _verify(token, secret)
        if self._now() >= known[1]:
            del self._known[key]
            raise jwt.ExpiredSignatureError("Signature has expired")
        return known[0]


_verified = VerifiedTokens()


def mint_token(secret: str, sub: str, role: Role, locations: list[str], ttl_seconds: int = 3600) -> str:
    """For demos and tests: a signed staff token."""
    now = int(time.time())
    claims = {"sub": sub, "role": role, "locations": locations, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm="HS256")


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, reason, headers={"WWW-Authenticate": "Bearer"})


# Most specific first (InvalidSignatureError is a DecodeError). The decoder's own texts ("Not
# enough segments", "Invalid header padding") say nothing to a person and something to an
# attacker, so they never reach the answer.
_WHY_REFUSED: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
    (jwt.ExpiredSignatureError, "The token has expired; sign in again with a fresh one."),
    (jwt.InvalidSignatureError, "The token's signature does not match: it was altered or issued elsewhere."),
    (jwt.InvalidAlgorithmError, "The token is not signed with HS256."),
    (jwt.ImmatureSignatureError, "The token is not valid yet."),
    (jwt.DecodeError, "The token is not a valid JWT."),
)


def refusal(error: jwt.InvalidTokenError) -> str:
    """Why a token is refused, in a sentence for the person holding it."""
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"The token has no {error.claim!r} claim; sub, role and exp are required."
    return next((text for kind, text in _WHY_REFUSED if isinstance(error, kind)),
                "The token's claims are not valid for these services (role, locations or dates).")


# The dependencies are `async def` on purpose: FastAPI runs a plain `def` dependency in its
# thread pool, two thread hops per request for a few microseconds of work (docs/benchmarks.md):
# that hop (and the wait for a free thread) was a visible share of the bookings service's time.
async def current_staff(settings: ServiceSettings,
                        creds: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Staff:
    if creds is None:
        raise _unauthorized("Sign in: send a staff token as 'Authorization: Bearer <JWT>'.")
    secret = settings.staff_jwt_secret
    if not secret:
        raise _unauthorized("This service has no STAFF_JWT_SECRET, so it can accept no token.")
    try:
        return decode_token(creds.credentials, secret)
    except jwt.InvalidTokenError as error:
        raise _unauthorized(refusal(error)) from None


def require_role(*roles: Role):
    """A dependency giving the staff member, 403 unless their role is one of `roles`."""

    async def dependency(staff: Staff = Depends(current_staff)) -> Staff:
        if staff.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"The role {staff.role!r} may not do this; "
                                f"it needs {' or '.join(map(repr, roles))}.")
        return staff

    return dependency


admin_only = require_role("admin")
any_staff = require_role("admin", "reporting")
