"""Every error answer of the staff APIs has one shape: `{message, detail: [{field?, msg}]}`.

`message` is a sentence a person can read ("The query parameter limit must be at most 500.").
Each `detail` entry names the field it is about as the request named it (a query parameter, a
body field such as `steps.0.after`, a header), never pydantic's location (`body.credits`), with
a short predicate (`must be a whole number`), so a page can put it beside its own label.
"""

import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus

from fastapi.responses import JSONResponse

WHERE = {"query": "query parameter", "body": "field", "path": "path segment", "header": "header",
         "cookie": "cookie"}
IDENTIFIER_PATTERN = r"^[A-Za-z0-9._:-]+$"
_NAME = re.compile(r"[A-Za-z_][\w.]*")


def sentence(text: str) -> str:
    """Capitalised and ending with a full stop: our texts are often lower-case fragments."""
    text = " ".join(str(text).split()) or "The request failed"
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def problem(message: str, detail: Sequence[Mapping] | None = None) -> dict:
    """The error body; without `detail`, one entry holding the message."""
    message = sentence(message)
    return {"message": message, "detail": [dict(d) for d in detail] if detail is not None else [{"msg": message}]}


def about_field(field: str | None, msg: str, where: str | None = None) -> str:
    """"The query parameter limit must be at most 500.": a predicate reads on from the field's
    name; any other text is put after "is invalid:"."""
    if field:
        subject = f"The {WHERE[where]} {field}" if where in WHERE else f"The value of {field}"
    else:
        subject = "The request body" if where == "body" else "The request"
    first = msg.split(" ", 1)[0]
    return sentence(f"{subject} {msg}" if first in _PREDICATE_STARTS else f"{subject} is invalid: {msg}")


_PREDICATE_STARTS = {"must", "is", "are", "has", "have", "may", "was", "cannot", "should", "needs", "names",
                     "does", "takes", "goes"}


def invalid_input(field: str | None, msg: str, where: str | None = None) -> JSONResponse:
    """A 422 for checks made outside pydantic, shaped like the validation ones."""
    entry = {"field": field, "msg": msg} if field else {"msg": msg}
    return JSONResponse(problem(about_field(field, msg, where), [entry]), 422)


def status_sentence(code: int, method: str, path: str, allow: str | None) -> str:
    """What the framework's bare "Not Found" / "Method Not Allowed" mean, in a sentence."""
    if code == 404:
        return f"Nothing is served at {path}; check the address against /openapi.json."
    if code == 405:
        return f"The method {method} is not allowed on {path}" + (f"; use {allow}." if allow else ".")
    return HTTPStatus(code).phrase


def validation_problem(errors: Sequence[Mapping]) -> dict:
    """The 422 body for pydantic's (or our own) validation errors."""
    named = [_named(error) for error in errors]
    message = " ".join(about_field(field, msg, where) for where, field, msg in named)
    return problem(message, [{"field": field, "msg": msg} if field else {"msg": msg} for _, field, msg in named])


def _named(error: Mapping) -> tuple[str | None, str | None, str]:
    """(where, field, predicate) of one error."""
    loc = tuple(error.get("loc") or ())
    where = str(loc[0]) if loc and loc[0] in WHERE else None
    parts = [str(p) for p in loc[1 if where else 0:] if not (where != "body" and isinstance(p, int))]
    msg = predicate(error)
    field = (error.get("ctx") or {}).get("field") or ".".join(parts) or None
    if field is None and where == "body":
        field, msg = _field_in_message(msg, error.get("input"))
    return where, field, msg


def _field_in_message(msg: str, given: object) -> tuple[str | None, str]:
    """A model-wide check whose text starts with a field name ("valid_to is before valid_from",
    "steps.0: ...") is about that field: name it, so the page can point at it."""
    match = _NAME.match(msg)
    if not match:
        return None, msg
    name = match.group()
    known = set(given) if isinstance(given, Mapping) else set()
    if name.split(".")[0] not in known and not msg[match.end():].startswith(":"):
        return None, msg
    rest = msg[match.end():]
    if rest.startswith(":"):
        return name, rest[1:].strip() or msg
    rest = rest.strip()
    return name, rest if rest.split(" ", 1)[0] in _PREDICATE_STARTS else msg


def predicate(error: Mapping) -> str:
    """pydantic's message for an error type, as a predicate a person reads after the field name."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    fixed = _FIXED.get(kind)
    if fixed:
        return fixed
    build = _BUILT.get(kind)
    if build:
        try:
            return build(ctx)
        except (KeyError, TypeError, ValueError):
            pass
    msg = str(error.get("msg", "is invalid"))
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if msg.startswith("Input should be"):
        return "must be" + msg.removeprefix("Input should be")
    return msg


_FIXED = {
    "missing": "is required",
    "int_parsing": "must be a whole number", "int_type": "must be a whole number",
    "int_from_float": "must be a whole number", "int_parsing_size": "is too large a number",
    "float_parsing": "must be a number", "float_type": "must be a number", "finite_number": "must be a finite number",
    "bool_parsing": "must be true or false", "bool_type": "must be true or false",
    "string_type": "must be text", "string_unicode": "must be text in UTF-8",
    "date_parsing": "must be a date (YYYY-MM-DD)", "date_type": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "must be a date without a time (YYYY-MM-DD)",
    "datetime_parsing": "must be a date and time with an offset (RFC 3339)",
    "datetime_type": "must be a date and time with an offset (RFC 3339)",
    "datetime_from_date_parsing": "must be a date and time with an offset (RFC 3339)",
    "timezone_aware": "must have a time zone offset (e.g. +00:00)",
    "extra_forbidden": "is not a field of this request",
    "json_invalid": "is not valid JSON", "json_type": "must be JSON",
    "model_type": "must be a JSON object", "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object", "list_type": "must be a list",
    "none_required": "must be null",
}
_BUILT = {
    "greater_than_equal": lambda c: f"must be at least {c['ge']}",
    "greater_than": lambda c: f"must be more than {c['gt']}",
    "less_than_equal": lambda c: f"must be at most {c['le']}",
    "less_than": lambda c: f"must be less than {c['lt']}",
    "string_too_short": lambda c: "must not be empty" if c["min_length"] == 1
    else f"must have at least {c['min_length']} characters",
    "string_too_long": lambda c: f"must have at most {c['max_length']} characters",
    "string_pattern_mismatch": lambda c: "may hold only letters, digits, '.', '_', ':' and '-'"
    if c["pattern"] == IDENTIFIER_PATTERN else f"must match {c['pattern']}",
    "too_short": lambda c: f"must have at least {c['min_length']} item(s)",
    "too_long": lambda c: f"must have at most {c['max_length']} item(s)",
    "literal_error": lambda c: f"must be {c['expected']}",
    "enum": lambda c: f"must be {c['expected']}",
    "union_tag_invalid": lambda c: f"must have {c['discriminator']} one of {c['expected_tags']}",
    "union_tag_not_found": lambda c: f"must have {c['discriminator']}",
    "unknown_query_parameter": lambda c: "is unknown here; this endpoint takes "
    + (", ".join(c["declared"]) if c["declared"] else "none"),
}
