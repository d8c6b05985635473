"""pydantic's validation errors said for a person, one {field, message, type} per problem:
what the API's 422 lists and what `python -m app recommend` prints or writes per bad line.

Pure (no web framework), so the command line can import it without FastAPI.
"""

from __future__ import annotations

from typing import Any


def json_problem(document: object, offset: int, reason: str) -> str:
    """Where the JSON breaks, as an editor counts: line and column, from 1."""
    text = document.decode("utf-8", "replace") if isinstance(document, bytes) else document
    if not isinstance(text, str):
        return f"The body is not valid JSON: {reason.lower()}."
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"The body is not valid JSON (line {line}, column {column}): {reason.lower()}."


def field_errors(errors: Any, document: object = None) -> list[dict[str, str]]:
    """pydantic's errors as {field, message}: the field as a dotted path, the message plain.

    `document` is the body that failed to parse, when it did, so a JSON syntax error can say
    where it is (FastAPI's error gives only the character offset)."""
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
            where = err.get("loc", ())
            offset = where[-1] if where and isinstance(where[-1], int) else 0
            reason = str(err.get("ctx", {}).get("error", "")) or "malformed"
            message, loc = json_problem(document, offset, reason), []
        out.append({"field": ".".join(loc) or "body", "message": message, "type": str(err["type"])})
    return out
