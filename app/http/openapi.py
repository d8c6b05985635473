"""/openapi.json for generators and validators: every status an operation can answer, each
with a typed body, a bearer scheme, and examples.

FastAPI documents what a route declares. What every route may answer besides (a refused Host,
a missing key, a body past the limit, an unknown query parameter, a server error) is added
here from one table of rules, so no operation forgets one; a route declares only its own
(`responses=problems(404, 503)`). Every error is a `Problem` (app.problems), served as
`application/problem+json`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.problems import PROBLEM_JSON, Problem
from app.questions.text import QuestionText, catalogue_text

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
"""Every 429 and 503 carries it."""

DESCRIPTIONS = {
    400: "The Host header names an address this service does not answer to",
    401: "An API key is required (when the service is given keys) and no valid one was sent",
    403: "A cross-site browser post, from an origin not allowed and without an API key",
    404: "Nothing is at this address",
    412: "A Tunewise-*-Version header sent names a version other than the current one; the "
    "body's `versions` gives every current one",
    413: "The body is larger than the service accepts",
    415: "The body is not labelled application/json",
    422: "The request has problems to fix, each with a pointer (unknown query parameters too)",
    429: "Too many requests from this client; try again after Retry-After seconds",
    500: "Something went wrong on our side; quote the request id to the operators",
    503: "Busy or unavailable; try again after Retry-After seconds",
}

UNREADABLE = "; or the body could not be read (not UTF-8 text, a broken form upload)"
API = "/api/v1/"
SECURITY_SCHEME = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from TUNEWISE_API_KEYS, sent as `Authorization: Bearer "
        "<key>`; needed only when the service is given keys",
    }
}


def problem_doc(status: int, description: str | None = None) -> dict[str, Any]:
    """The OpenAPI response for one error status: a Problem, with Retry-After where due."""
    doc: dict[str, Any] = {
        "description": description or DESCRIPTIONS[status],
        "content": {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}},
    }
    if status in (429, 503):
        doc["headers"] = dict(RETRY_AFTER)
    return doc


def problems(
    *statuses: int, described: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """For a route's `responses`: the error statuses only it answers."""
    said = described or {}
    return {status: problem_doc(status, said.get(status)) for status in (*statuses, *said)}


def _common(path: str, method: str, operation: dict[str, Any]) -> dict[int, str]:
    """The statuses an operation may answer whatever it does, with their descriptions."""
    body = operation.get("requestBody", {}).get("content", {})
    out = {
        400: DESCRIPTIONS[400] + (UNREADABLE if body else ""),
        412: DESCRIPTIONS[412],
        500: DESCRIPTIONS[500],
    }
    if path.startswith(API):
        out |= {401: DESCRIPTIONS[401], 422: DESCRIPTIONS[422]}
    if method == "post":
        out |= {403: DESCRIPTIONS[403], 413: DESCRIPTIONS[413]}
    if "application/json" in body:
        out[415] = DESCRIPTIONS[415]
    return out


def _complete(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, description in _common(path, method, operation).items():
        declared = responses.get(str(status))
        if declared is None or PROBLEM_JSON not in declared.get("content", {}):
            # FastAPI's own 422 (its HTTPValidationError) is replaced, not kept beside ours
            kept = declared.get("description") if declared and status != 422 else None
            responses[str(status)] = problem_doc(status, kept or description)
    if path.startswith(API):
        operation["security"] = [{"bearer": []}, {}]


def _components(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for fastapis_own in ("HTTPValidationError", "ValidationError"):
        schemas.pop(fastapis_own, None)
    components["securitySchemes"] = SECURITY_SCHEME


def _describe_questions(schemas: dict[str, Any]) -> None:
    """The answers and the context say what each field is in the words the wizard asks it
    (the question catalogue's label, then its help), rather than a second copy here."""
    text = catalogue_text()
    for name, entries in (("Answers", text.questions), ("Context", text.context)):
        properties = schemas.get(name, {}).get("properties", {})
        for entry in entries:
            if entry.id in properties:
                properties[entry.id].setdefault("description", _said(entry))


def _said(entry: QuestionText) -> str:
    unit = f" (in {entry.unit})" if entry.unit else ""
    return f"{entry.label}{unit} {entry.help}".strip()


Examples = Callable[[], Mapping[tuple[str, str, str], Any]]
"""(path, method, status) -> an example answer, computed when the schema is first asked for."""


def document_api(app: FastAPI, examples: Examples | None = None) -> None:
    """app.openapi, built once: FastAPI's schema completed by the rules above."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            _components(schema)
            _describe_questions(schema["components"]["schemas"])
            for path, item in schema.get("paths", {}).items():
                for method, operation in item.items():
                    _complete(path, method, operation)
            for (path, method, status), example in (examples() if examples else {}).items():
                answer = schema["paths"][path][method]["responses"][status]
                for media in answer.get("content", {}).values():
                    media["example"] = example
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
