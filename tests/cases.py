"""Request bodies and stored assessments that several test modules check, each defined once.

A helper module, not a test module (tests/test_architecture.py holds that no test module
imports another): a case lives here when more than one module reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.assessments.store import StoredAssessment
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from benchmarks.common import LOGISTICS
from benchmarks.situations import situations

__all__ = ["CREATED", "LEGAL", "LOGISTICS", "logistics_assessment"]
"""LOGISTICS (heavy API traffic on a self-hostable 32B model: a fine-tune that pays back within
months) is the benchmarks' own worked example, said there once."""

LEGAL = situations()["legal-twelve-tenants-on-prem"]
"""A legal firm of 12 practice areas, on its own hardware, whose answers must cite: retrieval
first, a LoRA adapter per practice area beside it (001's legal example, with citations)."""

CREATED = datetime(2026, 11, 12, 9, 30, tzinfo=UTC)
"""The moment a test's stored assessment was made: fixed, so its report's bytes are too."""


def logistics_assessment(title: str = "Logistics assistant: tone and format") -> StoredAssessment:
    """The heavy-traffic logistics case, with the budget answered "I'm not sure"."""
    answers = {k: v for k, v in LOGISTICS["answers"].items() if k != "budget_usd"}
    body = {"answers": answers, "context": LOGISTICS["context"], "unsure": ["budget_usd"]}
    request = RecommendationRequest.model_validate(body)
    result = recommend(request)
    return StoredAssessment.of(result, assessment_id="test-report", title=title, created_at=CREATED)
