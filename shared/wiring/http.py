"""What every service's HTTP side serves: health, Prometheus metrics, clear 422s and 413s."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_REQUEST_BYTES = 1024 * 1024
"""The largest request body a service reads. Staff requests are a few hundred bytes; a template
(the largest) is bounded well below this by its own field limits."""

ReadinessCheck = Callable[[], Awaitable[bool]]


def health_router(checks: dict[str, ReadinessCheck], registry: CollectorRegistry) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live")
    async def live() -> dict:
        return {"status": "live"}

    @router.get("/health/ready")
    async def ready() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        code = 200 if all(results.values()) else 503
        return JSONResponse({"ready": code == 200, "checks": results}, status_code=code)

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def _field_name(loc: tuple) -> str:
    # ("body", "credits") → "credits"; ("query", "limit") → "limit"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[-1] if loc else "request")


async def _validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
    errors = error.errors()
    message = "; ".join(f"{_field_name(tuple(e['loc']))}: {e['msg']}" for e in errors)
    detail = [{"field": _field_name(tuple(e["loc"])), "loc": list(e["loc"]), "msg": e["msg"]} for e in errors]
    return JSONResponse({"message": message, "detail": detail}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(RequestSizeLimit)


def _too_large(limit: int) -> str:
    return f"request body too large: the limit is {limit} bytes"


class RequestSizeLimit:
    """413 for a body over `limit` bytes, by its Content-Length or, when it has none (chunked), as
    soon as more than `limit` bytes have arrived: the body is never read into memory whole."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            response = JSONResponse({"detail": _too_large(self.limit)}, status_code=413)
            return await response(scope, receive, send)
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413, _too_large(self.limit))  # FastAPI passes HTTPExceptions on
            return message

        return counted


def unprocessable(field: str, msg: str) -> JSONResponse:
    """A 422 for checks made outside pydantic, shaped like the validation ones."""
    return JSONResponse({"message": f"{field}: {msg}", "detail": [{"field": field, "msg": msg}]}, 422)
