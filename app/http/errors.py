"""Error responses for the API and the pages alike: a message per field a person can act on,
never a stack trace; problem details (app.problems) under /api and on the addresses programs
call, the site's own page for people everywhere else."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope

from app.canonical import json_bytes
from app.http.templating import templates
from app.problems import (
    GENERIC_KIND,
    NOT_FOUND,
    PROBLEM_JSON,
    UNREADABLE_BODY,
    Problem,
    ProblemError,
    ProblemKind,
    entry,
    invalid_request,
    problem,
    problem_document,
)

log = logging.getLogger(__name__)

JSON_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json"})
"""Addresses outside /api that programs call: their errors are JSON too."""

LEGACY_POINTERS = {
    "authorization": "/header/authorization",
    "content-type": "/header/content-type",
    "origin": "/header/origin",
    "transfer-encoding": "/header/transfer-encoding",
    "id": "/path/assessment_id",
}
"""Where an error raised as API 0.5's {field, message} is, as a pointer (others: the request
as a whole)."""

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


class ProblemException(HTTPException):
    """An error a route or dependency raises, answered as a problem (or, on a page, the
    site's error page with the entries' messages)."""

    def __init__(
        self,
        kind: ProblemKind,
        detail: str,
        errors: Sequence[ProblemError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=kind.status, detail=detail, headers=dict(headers or {}))
        self.kind = kind
        self.errors = list(errors)


def no_assessment() -> ProblemException:
    """The API's answer for an assessment id that does not exist (or cannot)."""
    message = "No assessment with this id."
    found = entry("/path/assessment_id", "assessment_not_found", message, field="id")
    return ProblemException(NOT_FOUND, message, [found])


def request_id_of(scope: Scope) -> str | None:
    """The id RequestObserver gave this request (every request has one past it)."""
    found = scope.get("state", {}).get("request_id")
    return str(found) if found else None


def problem_bytes(value: Problem) -> bytes:
    return json_bytes(problem_document(value))


def problem_response(value: Problem, headers: Mapping[str, str] | None = None) -> Response:
    """The problem as `application/problem+json`, with its status."""
    return Response(
        problem_bytes(value), status_code=value.status, media_type=PROBLEM_JSON, headers=headers
    )


def problem_answer(request: Request, refused: ProblemException) -> Response:
    """A problem answered by a route that returns it rather than raising it (the PDF
    download, shared by the API and the results page, answers JSON on both, as it did)."""
    headers = dict(refused.headers or {})
    built = problem(
        refused.kind, str(refused.detail), refused.errors, request_id=request_id_of(request.scope)
    )
    return problem_response(built, headers)


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


def _kind(status: int, path: str) -> ProblemKind:
    if status == 400 and path.startswith("/api/"):
        return UNREADABLE_BODY  # what a route's own 400 means: FastAPI could not parse the body
    return GENERIC_KIND.get(status) or ProblemKind(str(status), status, "Error", "error")


def _legacy(kind: ProblemKind, items: list[Any]) -> list[ProblemError]:
    """Errors raised in API 0.5's shape, [{field, message}], as entries (with `code` and
    `pointer` when the raiser gave them)."""
    out = []
    for item in items:
        field = str(item.get("field", "request"))
        pointer = str(item.get("pointer", LEGACY_POINTERS.get(field, "")))
        out.append(entry(pointer, str(item.get("code", kind.code)), str(item["message"]), field))
    return out


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, the included routers' own too (FastAPI wraps each in an object that keeps
    it as `original_router`)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        yield from _routes(inner.routes) if inner is not None else (route,)


def allowed_methods(request: Request) -> str:
    """Every method the routes at this path template accept ("" when none is found): the
    router's 405 names only the first route's, and GET and PATCH of one assessment are two
    routes. Only routes with the first match's template count (a literal path such as
    /api/v1/assessments/import also fits /api/v1/assessments/{assessment_id})."""
    matching = [
        route
        for route in _routes(request.app.router.routes)
        if isinstance(route, Route) and route.matches(request.scope)[0] != Match.NONE
    ]
    if not matching:
        return ""
    template = matching[0].path
    methods = {m for r in matching if r.path == template for m in r.methods or ()}
    return ", ".join(sorted(methods))


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """Every HTTP error: a problem under /api, the site's own page for people elsewhere."""
    status = getattr(exc, "status_code", 404)
    detail = getattr(exc, "detail", None)
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    if isinstance(exc, ProblemException):
        built = problem(exc.kind, str(detail), exc.errors, request_id=request_id_of(request.scope))
    else:
        kind = _kind(status, request.url.path)
        if isinstance(detail, list):
            errors = _legacy(kind, detail)
            text = " ".join(e.message for e in errors)
        else:
            text = _message(request, status, detail, headers, exc.__cause__)
            field = {404: "path", 405: "method", 400: "body"}.get(status, "request")
            errors = [entry("", kind.code, text, field=field)]
        built = problem(kind, text, errors, request_id=request_id_of(request.scope))
    if wants_page(request.url.path):
        return error_page(request, status, [e.message for e in built.errors], headers)
    return problem_response(built, headers or None)


def server_error_body(path: str, request_id: str) -> tuple[str, bytes]:
    """The 500's content type and body: what a person or a program can do about it, and the
    request id the log line carries, to quote to whoever runs the service."""
    message = (
        "Something went wrong on our side; it is logged. If it happens again, quote "
        f"request {request_id} to whoever runs this service."
    )
    if not wants_page(path):
        kind = GENERIC_KIND[500]
        built = problem(
            kind, message, [entry("", kind.code, message, "server")], request_id=request_id
        )
        return PROBLEM_JSON, problem_bytes(built)
    try:
        context = {"heading": HEADINGS[500], "messages": [message], "status": 500}
        page = templates().get_template("error.html").render(context)
    except Exception:  # the failure may be in the templates themselves: say it plainly
        log.exception("the error page could not be rendered")
        return "text/plain; charset=utf-8", message.encode()
    return "text/html; charset=utf-8", page.encode()


async def validation_handler(request: Request, exc: Exception) -> Response:
    """422 with at most MAX_REPORTED_ERRORS entries, and how many more there were."""
    assert isinstance(exc, RequestValidationError | ValidationError)
    built = invalid_request(
        exc.errors(), getattr(exc, "body", None), request_id=request_id_of(request.scope)
    )
    return problem_response(built)
