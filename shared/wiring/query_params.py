"""An unknown query parameter is invalid input, not something to ignore.

`balanse=negative` silently ignored answers every balance, which looks like an answer to the
question asked. Every route of every service gets `only_declared_query` as a dependency (added to
the app's router before the services' routers are included): it compares the request's query
parameters with those the route declares, its dependencies' included, and answers 422 naming
each unknown one. It runs before the route's own dependencies, so it answers before the token is
checked: the parameter names it reveals are public in /openapi.json anyway.
"""

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

_CACHE = "_declared_query_parameters"


async def only_declared_query(request: Request) -> None:
    route = request.scope.get("route")
    if route is None or not request.query_params:
        return
    declared = _declared(route)
    unknown = [name for name in request.query_params if name not in declared]
    if unknown:
        raise RequestValidationError([
            {"type": "unknown_query_parameter", "loc": ("query", name), "input": request.query_params[name],
             "msg": "is unknown here", "ctx": {"declared": declared}}
            for name in unknown])


def _declared(route) -> tuple[str, ...]:
    """The query parameter names a route takes (aliases: `from`, not `start`), computed once."""
    known = getattr(route, _CACHE, None)
    if known is None:
        dependant = getattr(route, "dependant", None)
        known = tuple(dict.fromkeys(_names(dependant))) if dependant is not None else ()
        setattr(route, _CACHE, known)
    return known


def _names(dependant) -> list[str]:
    """Its query parameters and its dependencies', a query model's fields included."""
    names = []
    for field in dependant.query_params:
        model = getattr(field.field_info, "annotation", None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            names += [info.alias or name for name, info in model.model_fields.items()]
        else:
            names.append(field.alias)
    for sub in dependant.dependencies:
        names += _names(sub)
    return names
