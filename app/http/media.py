"""The JSON routes take JSON: any other body is 415 with a message saying what to send.

FastAPI would otherwise read a text or form body as a plain string and answer 422 "Input
should be a valid dictionary", which points at the answers when the mistake is the header
(curl's -d, for one, labels its body as a form unless told otherwise).
"""

from __future__ import annotations

import email.message
from typing import Any

from fastapi import Depends, HTTPException, Request

from app.http.errors import ErrorBody


def is_json(content_type: str | None) -> bool:
    """application/json, or any application/*+json, with or without parameters."""
    if not content_type:
        return False
    parsed = email.message.Message()
    parsed["content-type"] = content_type
    subtype = parsed.get_content_subtype()
    return parsed.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


async def require_json(request: Request) -> None:
    """415 for a body that is not labelled JSON; an empty body passes (the schema says 422)."""
    content_type = request.headers.get("content-type")
    if is_json(content_type) or not await request.body():
        return
    said = f"this request said {content_type}" if content_type else "this request named no type"
    raise HTTPException(
        status_code=415,
        detail=[
            {
                "field": "content-type",
                "message": f"Send the body as JSON with Content-Type: application/json ({said}).",
            }
        ],
    )


JSON_ONLY = Depends(require_json)
"""For a JSON route's `dependencies`."""

NOT_JSON_DOC: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body could not be read (not UTF-8 text)", "model": ErrorBody},
    415: {"description": "The body is not labelled application/json", "model": ErrorBody},
}
"""The 400 and 415 in a JSON route's OpenAPI `responses`."""
