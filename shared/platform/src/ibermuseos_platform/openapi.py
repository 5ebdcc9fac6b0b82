"""Each service's OpenAPI document says what the edge can answer, not only what the routes return.

Every operation lists the problem responses the platform gives anywhere (400, 422, 429, 431,
500, 503), 401/403 where a token is read, 404 where a path names an object, and `default`
for the rest, all as `application/problem+json`. Security is declared where it applies:
required where a token must come, optional (`{}` or bearer) where a token only widens the view.
"""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from .auth import current_caller, optional_caller
from .problems import PROBLEM_JSON, ProblemDetails

_EVERYWHERE = {
    "400": "The address carries a control character",
    "422": "Every problem with the request, one per field; nothing changed",
    "429": "Too many requests from this client; wait as long as Retry-After says",
    "431": "The request's headers are too large",
    "500": "Something went wrong on our side; quote the correlation_id",
    "503": "The database is away for a moment; retry after Retry-After seconds",
}
_SIGNED_IN = {
    "401": "No valid bearer token",
    "403": "The token's roles do not allow this",
}
_OPTIONAL_TOKEN = {"401": "A bearer token came and is not valid"}
_OBJECT = {"404": "No such object, or none the caller may see"}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }


def complete(app: FastAPI) -> None:
    """Install an `app.openapi` that completes FastAPI's document as the module's docstring says."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["ProblemDetails"] = ProblemDetails.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        schemas.update(schemas["ProblemDetails"].pop("$defs", {}))
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for route in iter_route_contexts(app.routes):
            if isinstance(route.original_route, APIRoute) and route.include_in_schema:
                for method in route.methods or ():
                    operation = document["paths"].get(route.path_format, {}).get(method.lower())
                    if operation is not None:
                        _complete_operation(operation, route.dependant, route.path_format or "")
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _complete_operation(operation: dict[str, Any], dependant: Dependant, path: str) -> None:
    calls = set(_calls(dependant))
    responses: dict[str, Any] = operation.setdefault("responses", {})
    expected = dict(_EVERYWHERE)
    if current_caller in calls:
        expected |= _SIGNED_IN
        operation["security"] = [{"HTTPBearer": []}]
    elif optional_caller in calls:
        expected |= _OPTIONAL_TOKEN
        operation["security"] = [{}, {"HTTPBearer": []}]
    else:
        operation.pop("security", None)
    if "{" in path:
        expected |= _OBJECT
    for status, description in expected.items():
        documented = responses.get(status, {})
        responses[status] = _problem(documented.get("description") or description)
    for status, documented in responses.items():
        if status[0] in "45" and "content" not in documented:
            responses[status] = _problem(documented.get("description", "Refused"))
    responses["default"] = _problem("Any other refusal, as problem details")
