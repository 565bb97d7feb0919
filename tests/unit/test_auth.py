"""Staff tokens: who may do what, where."""

import time

import jwt
import pytest

from shared.wiring.auth import decode_token, mint_token

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
