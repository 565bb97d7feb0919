"""How what a service's `assemble` built reaches its routes: by type, through FastAPI's `Depends`.

Each thing a route may be given is a `Provider`, declared once with the type it gives
(`services/<name>/handlers/dependencies.py`) and used in route signatures through an alias:
`Handlers = Annotated[BookingsHandlers, Depends(HANDLERS)]`. `assemble` binds each provider to
its instance (`HANDLERS.bind(handlers)`, checked by the type checker) and `create_app` keeps the
bindings on the app, one app's apart from another's. A test replaces any of them the FastAPI way,
`app.dependency_overrides[HANDLERS] = lambda: fake`, or binds fakes with `provide`.

Production does not bind through `app.dependency_overrides` itself: while that dict is not
empty, FastAPI rebuilds every dependency of every request from its signature, overridden or not
(`solve_dependencies` in fastapi/dependencies/utils.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, FastAPI, HTTPException, Request

from shared.rules import InvalidInput, RuleViolation
from shared.wiring.clock import Clock
from shared.wiring.http import invalid_field
from shared.wiring.idempotency import IdempotencyKeys, idempotent
from shared.wiring.settings import Settings

T = TypeVar("T")


class Unbound(LookupError):
    """A route asked for something its service never bound: a wiring bug, not a request's."""


class Provider(Generic[T]):
    """One dependency a route declares by type; `bind` gives it its instance for one app."""

    def __init__(self, name: str) -> None:
        self.name = name

    def bind(self, value: T) -> "Binding[T]":
        return Binding(self, value)

    # `async` on purpose: FastAPI would run a plain `def` in its thread pool (see shared.wiring.auth)
    async def __call__(self, request: Request) -> T:
        try:
            return request.app.state.provided[self]
        except (AttributeError, KeyError):
            raise Unbound(f"nothing provides {self.name!r} to this app") from None

    def __repr__(self) -> str:
        return f"Provider({self.name!r})"


@dataclass(frozen=True)
class Binding(Generic[T]):
    provider: Provider[T]
    value: T


def provide(app: FastAPI, bindings: Iterable[Binding[Any]]) -> None:
    """Gives `app`'s routes these instances (added to any bound before)."""
    if not hasattr(app.state, "provided"):
        app.state.provided = {}
    app.state.provided.update({binding.provider: binding.value for binding in bindings})


@dataclass(frozen=True)
class IdempotentCommands:
    """A staff write run once per Idempotency-Key (shared.wiring.idempotency), at the clock's now."""

    keys: IdempotencyKeys | None  # None: only requests without a key (tests)
    clock: Clock

    async def __call__(self, scope: str, key: str | None, body: dict, run, status_code: int = 200):
        return await idempotent(self.keys, scope, key, body, run, self.clock.now(), status_code)

    async def answering(self, scope: str, key: str | None, body: dict, command, not_found: tuple = (),
                        status_code: int = 200):
        """A staff command whose refusals are answers: what `not_found` names is 404, the request's
        own values 422 naming the field, any other broken rule 409."""

        async def run(command_id: str) -> dict:
            try:
                return await command(command_id)
            except not_found as error:
                raise HTTPException(404, str(error)) from None
            except InvalidInput as error:  # the request's own values, whatever the state
                raise invalid_field(error.field, error.message) from None
            except RuleViolation as error:
                raise HTTPException(409, str(error)) from None

        return await self(scope, key, body, run, status_code)


# What every service's routes may be given; `create_app` binds the first two, a service the third.
CLOCK = Provider[Clock]("clock")
SETTINGS = Provider[Settings]("settings")
IDEMPOTENT = Provider[IdempotentCommands]("idempotent commands")

ServiceClock = Annotated[Clock, Depends(CLOCK)]
ServiceSettings = Annotated[Settings, Depends(SETTINGS)]
Idempotent = Annotated[IdempotentCommands, Depends(IDEMPOTENT)]
