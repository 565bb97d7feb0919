"""An adjustment whose own values make no sense (no change at all, a validity ending before it
starts, a zero amount) is a 422 naming the field; one the current state rules out (deducting
more than is available) stays a 409. The credits app is called in-process with its handlers
replaced by a fake that raises what the domain would."""

from datetime import date

import httpx
import pytest

from services.credits.bootstrap import assemble
from services.credits.entrypoints.dependencies import HANDLERS
from services.credits.domain.errors import InsufficientCredits, InvalidAdjustment, ValidityReversed
from shared.wiring.auth import mint_token
from shared.wiring.service import create_app
from shared.wiring.settings import Settings

SECRET = "unit-secret-for-the-adjustment-answers-0123"
PERIOD = "/v1/locations/l-1/clients/c-1/memberships/m-1/periods/2026-11-01/adjustments"
PACKAGE = "/v1/locations/l-1/clients/c-1/packages/p-1/adjustments"
ACCOUNT = "/v1/locations/l-1/clients/c-1/account/adjustments"


class Refusing:
    """Handlers whose every adjustment raises `error`; `called` says whether one was reached."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error, self.called = error, False

    async def _refuse(self, *args, **kwargs):
        self.called = True
        raise self.error

    adjust_package = adjust_period = adjust_account = _refuse


def credits_app(handlers: Refusing):
    app = create_app(Settings.for_service("credits", 8002).model_copy(update={"staff_jwt_secret": SECRET}), assemble)
    app.dependency_overrides[HANDLERS] = lambda: handlers
    return app


async def post(app, path: str, body: dict) -> httpx.Response:
    token = mint_token(SECRET, "staff-1", "admin", ["*"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        return await http.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(("path", "body", "field"), [
    (PERIOD, {"action": "add", "credits": 0}, "credits"),
    (PERIOD, {"action": "add", "credits": 1, "valid_from": "2026-11-20", "valid_to": "2026-11-10"}, "valid_to"),
    (ACCOUNT, {"amount_minor": 0, "currency": "USD", "note": "nothing"}, "amount_minor"),
], ids=["no-change", "validity-reversed", "zero-amount"])
async def test_input_that_asks_for_nothing_sensible_is_422_naming_the_field_before_the_domain(path, body, field):
    handlers = Refusing()

    response = await post(credits_app(handlers), path, body)

    assert response.status_code == 422 and not handlers.called
    assert [problem["field"] for problem in response.json()["detail"]] == [field]
    assert response.json()["message"].startswith(f"The field {field} must ")


@pytest.mark.parametrize(("error", "field"), [
    (ValidityReversed(date(2026, 11, 1), date(2026, 10, 20), "valid_to"), "valid_to"),
    (InvalidAdjustment("must be at least 1 unless valid_from or valid_to moves the period", "credits"), "credits"),
], ids=["validity-ends-before-the-period-starts", "no-change"])
async def test_a_domain_refusal_of_the_input_itself_is_422_naming_the_field(error, field):
    response = await post(credits_app(Refusing(error)), PERIOD, {"action": "add", "credits": 1,
                                                                  "valid_to": "2026-10-20"})

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == [field]


async def test_deducting_more_than_is_available_stays_409_in_the_same_shape():
    response = await post(credits_app(Refusing(InsufficientCredits(available=2, requested=5))), PACKAGE,
                          {"action": "deduct", "credits": 5})

    assert response.status_code == 409
    assert response.json() == {"message": "Cannot deduct 5 credit(s): only 2 available.",
                               "detail": [{"msg": "Cannot deduct 5 credit(s): only 2 available."}]}
