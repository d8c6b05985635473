"""What a recalculated view changed: the assumptions a person may move on the results page, and
the rows that say which moved, from what saved value to what.

The page's notice and the report's first page print the same rows, so a shared link, the page
it opens and the PDF downloaded from it all say the same thing about where their figures differ
from the saved assessment.
"""

from __future__ import annotations

from typing import Any

from app.rules.result import Recommendation
from app.views.rows import Row
from app.vocabulary import words

ASSUMPTION_FIELDS = (
    "monthly_requests",
    "input_tokens_per_request",
    "output_tokens_per_request",
    "gpu",
    "reference_api_model",
    "horizon_months",
)
"""The context a results page may change without changing the saved assessment: usage and
pricing, never the answers that decide the approach."""


def recalculation_rows(saved_context: dict[str, Any], r: Recommendation) -> tuple[Row, ...]:
    """Each assumption the view changed: its label, its value here, and the saved value (note)."""
    now = r.context.model_dump(mode="json")
    return tuple(
        Row(
            words.question_label(name),
            words.context_value(name, getattr(r.context, name)),
            words.context_value(name, saved_context.get(name)),
        )
        for name in ASSUMPTION_FIELDS
        if now.get(name) != saved_context.get(name)
    )
