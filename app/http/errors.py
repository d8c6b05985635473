"""Error responses for the API and the pages alike: a message per field a person can act on,
never a stack trace; JSON under /api, the site's own page for people everywhere else."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from app.http.field_messages import field_errors
from app.http.templating import templates

log = logging.getLogger(__name__)

NOT_FOUND = {"detail": [{"field": "id", "message": "No assessment with this id."}]}
"""The API's answer for an assessment id that does not exist (or cannot)."""


def unprocessable(field: str, message: str) -> JSONResponse:
    """422 with one message for one field, in the API's error shape."""
    return JSONResponse({"detail": [{"field": field, "message": message}]}, status_code=422)


MAX_REPORTED_ERRORS = 50
"""The most field errors one answer lists: past them a count says how many more there were, so
a body of 100,000 mistakes gets a short answer, quickly."""

JSON_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json"})
"""Addresses outside /api that programs call: their errors are JSON too."""

FIELD_BY_STATUS = {
    400: "body",
    404: "path",
    405: "method",
    413: "body",
    415: "content-type",
    429: "rate",
    503: "service",
}
"""What an HTTP error is about, when the code raising it named no field."""

PLAIN_MESSAGES = {
    "Not Found": "Nothing is at this address.",
    "There was an error parsing the body": "The request body could not be read.",
}
"""Starlette's and FastAPI's stock phrases, said for a person."""

HEADINGS = {
    400: "The request could not be read",
    404: "Page not found",
    405: "This page cannot do that",
    413: "The upload is too large",
    415: "The upload is not in a form we read",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Busy: try again shortly",
}
"""The error page's heading for each status; others get "There is a problem"."""


def wants_page(path: str) -> bool:
    """A person's browser asked (the wizard, results, uploads): errors are the site's own
    page. Under /api, and on the addresses programs call, errors are JSON."""
    return not path.startswith("/api/") and path not in JSON_PATHS


def error_page(
    request: Request, status: int, messages: list[str], headers: dict[str, str] | None = None
) -> Response:
    """The site's own page for an error a person meets: a heading, what happened, a way on."""
    if status == 404:
        return templates().TemplateResponse(
            request, "not_found.html", {}, status_code=404, headers=headers
        )
    context = {
        "heading": HEADINGS.get(status, "There is a problem"),
        "messages": messages,
        "status": status,
    }
    return templates().TemplateResponse(
        request, "error.html", context, status_code=status, headers=headers
    )


def _message(
    request: Request, status: int, detail: object, headers: dict[str, str], cause: object
) -> str:
    if status == 405:
        allowed = headers.get("Allow") or headers.get("allow") or ""
        accepts = f"; it accepts {allowed}" if allowed else ""
        return f"This address does not accept {request.method}{accepts}."
    text = detail if isinstance(detail, str) and detail else "Something is wrong with the request."
    if status == 400 and isinstance(cause, UnicodeDecodeError):
        return "The body is not UTF-8 text, so it cannot be JSON."
    return PLAIN_MESSAGES.get(text, text)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """Every HTTP error: JSON under /api (a message per field), a page for people elsewhere."""
    status = getattr(exc, "status_code", 404)
    detail = getattr(exc, "detail", None)
    headers = dict(getattr(exc, "headers", None) or {})
    if isinstance(detail, list):  # already in our shape: [{field, message}]
        entries = detail
    else:
        field = FIELD_BY_STATUS.get(status, "request")
        entries = [
            {"field": field, "message": _message(request, status, detail, headers, exc.__cause__)}
        ]
    if wants_page(request.url.path):
        return error_page(request, status, [str(e["message"]) for e in entries], headers)
    return JSONResponse({"detail": entries}, status_code=status, headers=headers or None)


def server_error_body(path: str, request_id: str) -> tuple[str, bytes]:
    """The 500's content type and body: what a person or a program can do about it, and the
    request id the log line carries, to quote to whoever runs the service."""
    message = (
        "Something went wrong on our side; it is logged. If it happens again, quote "
        f"request {request_id} to whoever runs this service."
    )
    if not wants_page(path):
        body = {"detail": [{"field": "server", "message": message}]}
        return "application/json", json.dumps(body).encode()
    try:
        context = {"heading": HEADINGS[500], "messages": [message], "status": 500}
        page = templates().get_template("error.html").render(context)
    except Exception:  # the failure may be in the templates themselves: say it plainly
        log.exception("the error page could not be rendered")
        return "text/plain; charset=utf-8", message.encode()
    return "text/html; charset=utf-8", page.encode()


async def validation_handler(_: Request, exc: Exception) -> JSONResponse:
    """422 with at most MAX_REPORTED_ERRORS messages, and how many more there were."""
    assert isinstance(exc, RequestValidationError | ValidationError)
    errors = exc.errors()
    shown = field_errors(errors[:MAX_REPORTED_ERRORS], getattr(exc, "body", None))
    content: dict[str, Any] = {"detail": shown, "message": "Some answers need fixing."}
    if len(errors) > MAX_REPORTED_ERRORS:
        content["errors_not_shown"] = len(errors) - MAX_REPORTED_ERRORS
        content["message"] = (
            f"Some answers need fixing: the first {MAX_REPORTED_ERRORS} of "
            f"{len(errors):,} problems are listed."
        )
    return JSONResponse(status_code=422, content=content)


class FieldError(BaseModel):
    field: str = Field(description="the field, as a dotted path (answers.labelled_examples)")
    message: str = Field(description="what is wrong, for a person")
    type: str | None = Field(None, description="the kind of problem, for a program")


class ErrorBody(BaseModel):
    """Every 4xx/5xx body of the API: one message per field."""

    detail: list[FieldError] = Field(
        description=f"at most {MAX_REPORTED_ERRORS}, in the order the problems were found"
    )
    message: str | None = None
    errors_not_shown: int | None = Field(
        None, description=f"how many problems there were past the first {MAX_REPORTED_ERRORS}"
    )


def _document_unreadable_bodies(schema: dict[str, Any]) -> None:
    """Every operation that reads a body may answer 400 when it can't be parsed at all."""
    unreadable = {
        "description": "The body could not be read",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
        },
    }
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("400", unreadable)


def document_errors(app: FastAPI) -> None:
    """OpenAPI describes our error shape, not FastAPI's default validation error."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in body.pop("$defs", {}).items():
                components[name] = definition
            components["HTTPValidationError"] = body
            components.pop("ValidationError", None)
            _document_unreadable_bodies(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
