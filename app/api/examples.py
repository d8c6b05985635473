"""The examples /openapi.json shows: requests as an integrator would send them, and the
answers the service gives them (computed when the schema is first asked for, so they are the
real answers of this version, never a hand-copied body that drifts)."""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example

from app.cost_model.describe import describe_training
from app.cost_model.inputs import TrainingEstimateInput
from app.cost_model.training import estimate_training
from app.questions import RecommendationRequest
from app.rules.recommend import recommend

ANSWERS: dict[str, Any] = {
    "objective": "behaviour",
    "domain_vocabulary": "specialised",
    "output_consistency": "consistent_tone",
    "labelled_examples": 5000,
    "data_freshness": "monthly",
    "citations_required": False,
    "latency_p99_ms": 2000,
    "ml_capability": 4,
    "budget_usd": 1000,
}
RECOMMENDATION: dict[str, Any] = {
    "answers": ANSWERS,
    "context": {"base_model": "llama-3.1-8b", "gpu": "a100-80gb", "on_prem_required": True},
}
ESTIMATE: dict[str, Any] = {
    "method": "qlora",
    "base_model": "llama-3.1-70b",
    "gpu": "h100-80gb",
    "examples": 50000,
}

RECOMMENDATION_EXAMPLES: dict[str, Example] = {
    "on_prem_behaviour": {
        "summary": "A behaviour change on premises, 5,000 examples",
        "value": RECOMMENDATION,
    },
    "unsure_budget": {
        "summary": "The budget answered \u201cI'm not sure\u201d",
        "value": {
            "answers": {k: v for k, v in ANSWERS.items() if k != "budget_usd"},
            "unsure": ["budget_usd"],
        },
    },
}
ASSESSMENT_EXAMPLES: dict[str, Example] = {
    "titled": {
        "summary": "A recommendation kept under a title",
        "value": {**RECOMMENDATION, "title": "Support assistant tone"},
    }
}
ESTIMATE_EXAMPLES: dict[str, Example] = {
    "qlora_70b": {"summary": "QLoRA on a 70B model, one H100", "value": ESTIMATE},
    "lora_by_size": {
        "summary": "LoRA on a 13B model not in the catalogue",
        "value": {"method": "lora", "model_size_b": 13, "examples": 2000},
    },
}


def answers() -> dict[tuple[str, str, str], Any]:
    """The example answers, by (path, method, status)."""
    result = recommend(RecommendationRequest.model_validate(RECOMMENDATION))
    estimate = describe_training(
        estimate_training(TrainingEstimateInput.model_validate(ESTIMATE).to_request())
    )
    return {
        ("/api/v1/recommendations", "post", "200"): result.model_dump(mode="json"),
        ("/api/v1/estimates/training", "post", "200"): estimate,
        ("/healthz", "get", "200"): {"status": "ok"},
        ("/readyz", "get", "200"): {"status": "ok", "database": "ok"},
        ("/readyz", "get", "503"): {"status": "unavailable", "database": "OperationalError"},
    }
