"""The hypothesis strategies for valid answers and context, the settings the property tests
run them under, and the one call they put each drawn input through.

A helper module, not a test module: property tests import their inputs from here rather than
from one another (tests/test_architecture.py holds that no test module imports another).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from app.cost_model.catalogue import load_catalogue
from app.questions import (
    DataFreshness,
    DomainVocabulary,
    Objective,
    OutputConsistency,
    QualityEvidence,
    RecommendationRequest,
)
from app.rules.recommend import recommend

CAT = load_catalogue()

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""The property tests' budget: 60 examples each, no per-example deadline."""

answers = st.fixed_dictionaries(
    {
        "objective": st.sampled_from([o.value for o in Objective]),
        "domain_vocabulary": st.sampled_from([v.value for v in DomainVocabulary]),
        "output_consistency": st.sampled_from([v.value for v in OutputConsistency]),
        "labelled_examples": st.integers(0, 10_000_000),
        "data_freshness": st.sampled_from([v.value for v in DataFreshness]),
        "citations_required": st.booleans(),
        "latency_p99_ms": st.integers(10, 600_000),
        "ml_capability": st.integers(1, 5),
        "budget_usd": st.floats(0, 100_000_000, allow_nan=False),
    }
)
context = st.fixed_dictionaries(
    {},
    optional={
        "base_model": st.sampled_from(sorted(CAT.models)),
        "gpu": st.sampled_from(sorted(CAT.gpus)),
        "monthly_requests": st.integers(0, 100_000_000),
        "tenants": st.integers(1, 50),
        "on_prem_required": st.booleans(),
        "multilingual": st.booleans(),
        "quality_evidence": st.sampled_from([q.value for q in QualityEvidence]),
        "horizon_months": st.integers(1, 60),
    },
)


def recommendation_json(a: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
    """The recommendation for drawn answers and context, as the JSON the API returns."""
    body = {"answers": a, "context": c}
    return recommend(RecommendationRequest.model_validate(body)).model_dump(mode="json")
