"""The wizard's state travels in the request: answers and "I'm not sure" flags as query strings
between steps and hidden fields in forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from app.questions import Context
from app.web.steps import QUESTION_IDS


def form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def state_pairs(answers: dict[str, Any], unsure: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = [(q, form_value(answers[q])) for q in QUESTION_IDS if q in answers and q not in unsure]
    pairs += [("unsure", q) for q in unsure]
    return pairs


def state_query(answers: dict[str, Any], unsure: tuple[str, ...], **extra: str) -> str:
    pairs = state_pairs(answers, unsure) + [(k, v) for k, v in extra.items() if v]
    return urlencode(pairs)


def context_query(context: dict[str, Any]) -> dict[str, str]:
    """The context fields that differ from their defaults, as form text."""
    default = Context().model_dump(mode="json")
    return {k: form_value(v) for k, v in context.items() if v is not None and v != default.get(k)}
