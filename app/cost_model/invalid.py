"""Validation errors with a stable code, and for a check across fields, the field to fix.

A validator raising ValueError gives pydantic's generic `value_error`; an integrator's program
wants to tell an unknown model from a budget out of range without reading the sentence. The
code becomes the error's `type` (the API's problem details call it `code`); `at` is the field
a check across several fields blames, relative to the object it ran on (`model_size_b`,
`answers/budget_usd`), so the API points at it rather than at the object.
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError


def invalid(code: str, message: str, at: str | None = None) -> PydanticCustomError:
    """The error to raise. The message is said as given: with no context to fill, pydantic
    leaves any braces in it (a value a person typed) alone."""
    return PydanticCustomError(code, message, None if at is None else {"at": at})
