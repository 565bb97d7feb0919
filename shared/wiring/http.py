"""What every service's HTTP side serves: health, Prometheus metrics, and clear 422s."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

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


def unprocessable(field: str, msg: str) -> JSONResponse:
    """A 422 for checks made outside pydantic, shaped like the validation ones."""
    return JSONResponse({"message": f"{field}: {msg}", "detail": [{"field": field, "msg": msg}]}, 422)
