"""Error responses: a message per field a person can act on, never a stack trace."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError


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
        elif err.get("type") == "json_invalid":
            message = "The body is not valid JSON: " + str(err.get("ctx", {}).get("error", ""))
        out.append({"field": ".".join(loc) or "body", "message": message, "type": str(err["type"])})
    return out


async def not_found_handler(request: Request, exc: Exception) -> Response:
    """Unknown paths: JSON under /api, the site's own page for people everywhere else."""
    status = getattr(exc, "status_code", 404)
    detail = getattr(exc, "detail", "Not found.")
    headers = getattr(exc, "headers", None)
    if isinstance(detail, list):  # already in our shape: [{field, message}]
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    if request.url.path.startswith("/api/") or status != 404:
        message = detail if isinstance(detail, str) else "Not found."
        return JSONResponse(
            {"detail": [{"field": "path", "message": message}]}, status_code=status, headers=headers
        )
    from app.web.templating import templates  # noqa: PLC0415  # the page lives in the web layer

    return templates().TemplateResponse(request, "not_found.html", {}, status_code=404)


async def validation_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    return JSONResponse(
        status_code=422,
        content={"detail": field_errors(exc.errors()), "message": "Some answers need fixing."},
    )
