"""A flood of unknown fields is one error, not one per field.

The request models refuse unknown fields (extra="forbid") and pydantic reports each on its
own, so a 1 MB body of 100,000 made-up keys made 100,000 errors, which the web layer then
copied one by one: over a second of work on the event loop for a single request. Past a few
unknown fields the object is refused whole, with a count and the first names, before any
field is validated.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticCustomError

MAX_UNKNOWN_FIELDS = 20
"""More unknown fields than this in one object is one error (fewer: one error each)."""


def refuse_unknown_flood(model: type[BaseModel], data: Any) -> Any:
    """For a model's `mode="before"` validator: the data unchanged, or one error for all."""
    if not isinstance(data, dict) or len(data) <= MAX_UNKNOWN_FIELDS:
        return data
    known = set(model.model_fields)
    unknown = [key for key in data if key not in known]
    if len(unknown) <= MAX_UNKNOWN_FIELDS:
        return data
    first = ", ".join(str(key)[:40] for key in unknown[:3])
    raise PydanticCustomError(
        "too_many_unknown_fields",
        "{count} fields are not recognised (the first: {first}); check their spelling "
        "against the catalogue.",
        {"count": len(unknown), "first": first},
    )
