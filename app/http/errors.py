"""Error responses for the API and the pages alike: a message per field a person can act on,
never a stack trace; JSON under /api, the site's own page for people everywhere else."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from app.http.templating import templates

NOT_FOUND = {"detail": [{"field": "id", "message": "No assessment with this id."}]}
"""The API's answer for an assessment id that does not exist (or cannot)."""


def unprocessable(field: str, message: str) -> JSONResponse:
    """422 with one message for one field, in the API's error shape."""
    return JSONResponse({"detail": [{"field": field, "message": message}]}, status_code=422)


def field_errors(errors: Any) -> list[dict[str, str]]:
    """pydantic's errors as {field, message}: the field as a dotted path, the message plain."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        message = str(err.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        if err.get("type") == "missing":
            message = "This field is required."
        elif err.get("type") == "extra_forbidden":
            message = "This field is not recognised; check its spelling against the catalogue."
        elif err.get("type") == "json_invalid":  # its loc is the character offset, not a field
            offset = f" at character {loc[-1]}" if loc else ""
            error = str(err.get("ctx", {}).get("error", "")).lower()
            message = f"The body is not valid JSON ({error}{offset})."
            loc = []
        out.append({"field": ".".join(loc) or "body", "message": message, "type": str(err["type"])})
    return out


def _what_failed(request: Request, status: int, detail: Any) -> tuple[str, str]:
    """The field an HTTP error is about, and its message: the body for 400 (Starlette's "There
    was an error parsing the body"), the method for 405, the path otherwise."""
    if status == 400:
        return "body", "The body could not be read: send JSON, or a form upload where one is asked."
    if status == 405:
        return "method", f"{request.url.path} does not take {request.method}."
    return "path", detail if isinstance(detail, str) else "Not found."


async def not_found_handler(request: Request, exc: Exception) -> Response:
    """Unknown paths: JSON under /api, the site's own page for people everywhere else."""
    status = getattr(exc, "status_code", 404)
    detail = getattr(exc, "detail", "Not found.")
    headers = getattr(exc, "headers", None)
    if isinstance(detail, list):  # already in our shape: [{field, message}]
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    if request.url.path.startswith("/api/") or status != 404:
        field, message = _what_failed(request, status, detail)
        return JSONResponse(
            {"detail": [{"field": field, "message": message}]}, status_code=status, headers=headers
        )
    return templates().TemplateResponse(request, "not_found.html", {}, status_code=404)


async def validation_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    return JSONResponse(
        status_code=422,
        content={"detail": field_errors(exc.errors()), "message": "Some answers need fixing."},
    )


class FieldError(BaseModel):
    field: str = Field(description="the field, as a dotted path (answers.labelled_examples)")
    message: str = Field(description="what is wrong, for a person")
    type: str | None = Field(None, description="the kind of problem, for a program")


class ErrorBody(BaseModel):
    """Every 4xx/5xx body of the API: one message per field."""

    detail: list[FieldError]
    message: str | None = None


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
