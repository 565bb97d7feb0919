"""What every service's HTTP side serves: health, Prometheus metrics, clear 422s and 413s."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_REQUEST_BYTES = 1024 * 1024
"""The largest request body a service reads. Staff requests are a few hundred bytes; a template
(the largest) is bounded well below this by its own field limits."""

ReadinessCheck = Callable[[], Awaitable[bool | str]]
"""True when ready; False, or a sentence saying why (e.g. a consumer waiting out an outage), when not."""


def health_router(checks: dict[str, ReadinessCheck], registry: CollectorRegistry) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live")
    async def live() -> dict:
        return {"status": "live"}

    @router.get("/health/ready")
    async def ready() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        code = 200 if all(result is True for result in results.values()) else 503
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


async def _http_error(request: Request, error: StarletteHTTPException):
    # FastAPI answers 400 when a body is not even text (bytes that are not UTF-8); it is invalid
    # input like any other, so it gets the contract's 422 naming the body.
    if error.status_code == 400 and error.detail == "There was an error parsing the body":
        return unprocessable("body", "not JSON text in UTF-8")
    return await http_exception_handler(request, error)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(RequestSizeLimit)
    app.openapi = _with_error_responses(app, app.openapi)


ERROR_SCHEMAS = {
    "Problem": {
        "title": "Problem", "type": "object", "required": ["detail"],
        "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "object"}],
                                  "description": "What is wrong, for a person to read"}},
    },
    "InvalidInput": {
        "title": "InvalidInput", "type": "object",
        "description": "`message` starts with the field; `detail` has one entry per problem",
        "anyOf": [{"required": ["message", "detail"]}, {"required": ["detail"]}],
        "properties": {
            "message": {"type": "string"},
            "detail": {"anyOf": [
                {"type": "array", "items": {"type": "object", "required": ["field", "msg"], "properties": {
                    "field": {"type": "string"}, "msg": {"type": "string"}, "loc": {"type": "array"}}}},
                {"type": "object", "required": ["message", "field"]},
            ]},
        },
    },
}
STAFF_ERRORS = {
    "401": "Missing or invalid bearer token",
    "403": "The token's role or locations do not allow this",
    "404": "Nothing with that id here",
    "409": "The current state rules this out",
}


def _with_error_responses(app: FastAPI, build: Callable[[], dict]) -> Callable[[], dict]:
    """Every staff operation documents the errors it may answer, in the shapes they have (the
    default 422 schema is FastAPI's, not the one `_validation_error` writes)."""

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                _document_errors(operation, staff=path.startswith("/v1/"))
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, replaced above
            schemas.pop(unused, None)
        schemas.update(ERROR_SCHEMAS)
        return schema

    return openapi


def _response(description: str, name: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


def _document_errors(operation: dict, staff: bool) -> None:
    responses = operation.setdefault("responses", {})
    if staff:
        responses.update({code: _response(text, "Problem") for code, text in STAFF_ERRORS.items()})
    if "requestBody" in operation:
        responses["413"] = _response(f"Body over {MAX_REQUEST_BYTES} bytes", "Problem")
    if staff or operation.get("parameters") or "requestBody" in operation:
        responses["422"] = _response("Invalid input, naming the field", "InvalidInput")


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
