"""The JSON routes take JSON: any other body is 415 with a message saying what to send.

FastAPI would otherwise read a text or form body as a plain string and answer 422 "Input
should be a valid dictionary", which points at the answers when the mistake is the header
(curl's -d, for one, labels its body as a form unless told otherwise).
"""

from __future__ import annotations

import email.message

from fastapi import Depends, Request

from app.http.errors import ProblemException
from app.problems import UNSUPPORTED_MEDIA, entry


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
    message = f"Send the body as JSON with Content-Type: application/json ({said})."
    found = entry("/header/content-type", UNSUPPORTED_MEDIA.code, message, field="content-type")
    raise ProblemException(UNSUPPORTED_MEDIA, message, [found])


JSON_ONLY = Depends(require_json)
"""For a JSON route's `dependencies` (app.http.openapi documents its 415)."""
