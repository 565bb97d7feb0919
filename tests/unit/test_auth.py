"""Staff tokens: who may do what, where."""

import time

import jwt
import pytest

from shared.wiring.auth import VerifiedTokens, decode_token, mint_token

SECRET = "unit-secret-long-enough-for-hs256-keys!"


def test_a_valid_token_names_the_staff_member_role_and_locations():
    staff = decode_token(mint_token(SECRET, "s-1", "reporting", ["loc-1"]), SECRET)

    assert (staff.id, staff.role, staff.may_see("loc-1"), staff.may_see("loc-2")) == ("s-1", "reporting", True, False)


def test_a_star_token_sees_the_whole_brand():
    staff = decode_token(mint_token(SECRET, "s-1", "admin", ["*"]), SECRET)

    assert staff.whole_brand and staff.may_see("anywhere")


@pytest.mark.parametrize("token", [
    mint_token("another-secret", "s-1", "admin", ["*"]),
    jwt.encode({"sub": "s", "role": "admin", "locations": ["*"]}, None, algorithm="none"),
    jwt.encode({"sub": "s", "role": "admin", "locations": ["*"], "exp": int(time.time()) - 10}, SECRET, algorithm="HS256"),
    jwt.encode({"sub": "s", "role": "owner", "locations": ["*"]}, SECRET, algorithm="HS256"),
    jwt.encode({"role": "admin", "locations": ["*"]}, SECRET, algorithm="HS256"),
    "not-a-token",
], ids=["tampered", "alg-none", "expired", "unknown-role", "no-sub", "garbage"])
def test_a_bad_token_is_refused(token):
    with pytest.raises(jwt.InvalidTokenError):
        decode_token(token, SECRET)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()


def test_a_token_verified_once_is_refused_once_it_expires():
    clock = Clock()
    tokens = VerifiedTokens(now=lambda: clock.now)
    token = mint_token(SECRET, "s-1", "admin", ["loc-1"], ttl_seconds=60)
    assert tokens.staff(token, SECRET).id == "s-1"

    clock.now += 61

    with pytest.raises(jwt.ExpiredSignatureError):
        tokens.staff(token, SECRET)


def test_a_remembered_token_does_not_vouch_for_a_tampered_copy_or_another_secret():
    tokens = VerifiedTokens()
    token = mint_token(SECRET, "s-1", "reporting", ["loc-1"])
    tokens.staff(token, SECRET)
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False}) | {"role": "admin", "locations": ["*"]}
    forged_payload = jwt.encode(claims, "guess", algorithm="HS256").split(".")[1]

    for forged, secret in [(f"{header}.{forged_payload}.{signature}", SECRET), (token, "another-secret")]:
        with pytest.raises(jwt.InvalidTokenError):
            tokens.staff(forged, secret)


def test_a_token_without_exp_is_refused_however_well_signed():
    forever = jwt.encode({"sub": "s-1", "role": "admin", "locations": ["*"]}, SECRET, algorithm="HS256")

    with pytest.raises(jwt.MissingRequiredClaimError):
        decode_token(forever, SECRET)
