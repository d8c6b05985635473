"""Today's open-weights models through the API: listed with their sources, MoE estimates with
total and active parameters, and current models proposed where they serve the same purpose."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.views import rows
from tests.conftest import BASE_ANSWERS

CURRENT = {
    "llama-3.3-70b",
    "qwen3-0.6b",
    "qwen3-1.7b",
    "qwen3-4b",
    "qwen3-8b",
    "qwen3-14b",
    "qwen3-32b",
    "qwen3-30b-a3b",
    "qwen3-235b-a22b",
    "gemma-3-4b",
    "gemma-3-12b",
    "gemma-3-27b",
    "mistral-small-3.2-24b",
    "phi-4",
    "mixtral-8x7b",
    "gpt-oss-20b",
    "gpt-oss-120b",
}
MOE = {"qwen3-30b-a3b", "qwen3-235b-a22b", "mixtral-8x7b", "gpt-oss-20b", "gpt-oss-120b"}


def _models(client: TestClient) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in client.get("/api/v1/models").json()["models"]}


def test_the_current_families_are_listed_with_their_config_and_licence(
    client: TestClient,
) -> None:
    models = _models(client)
    assert set(models) >= CURRENT
    for model_id in CURRENT:
        m = models[model_id]
        assert m["source"].startswith("https://huggingface.co/"), model_id
        assert m["source"].endswith("/blob/main/config.json"), model_id
        assert m["licence"], model_id
        assert m["multilingual"] in {"english-first", "broad", "strong-asian"}, model_id
        assert m["max_context"] >= 16_384, model_id
        assert m["in_plan_catalogue"], model_id
    # The older models stay for comparison with published runs.
    assert {"qwen-2.5-7b", "phi-3-mini", "mistral-7b", "llama-2-7b"} <= set(models)


def test_moe_models_list_total_and_active_parameters(client: TestClient) -> None:
    models = _models(client)
    for model_id in MOE:
        m = models[model_id]
        assert m["experts"] > m["experts_per_token"] > 0, model_id
        assert m["active_params_b"] < m["params_b"] / 3, model_id
    assert models["qwen3-30b-a3b"]["active_params_b"] == pytest.approx(3.3, abs=0.05)
    dense = models["qwen3-8b"]
    assert dense["experts"] == 0
    assert dense["active_params_b"] == dense["params_b"]


def test_a_moe_training_estimate_carries_total_and_active_parameters(client: TestClient) -> None:
    body = {"method": "qlora", "base_model": "mixtral-8x7b", "gpu": "a100-80gb"}
    estimate = client.post("/api/v1/estimates/training", json=body).json()
    model = estimate["model"]
    assert (model["params_b"], model["experts"], model["experts_per_token"]) == (46.7, 8, 2)
    assert model["active_params_b"] == pytest.approx(12.9, abs=0.05)
    weights = next(c for c in estimate["memory_breakdown"] if c["component"] == "quantised_weights")
    assert "every expert resident" in weights["assumption"]
    assert weights["gb"] > 20  # all 46.7B parameters at 4 bits, not the 12.9B a token uses


def _plan(client: TestClient, answers: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    body = {"answers": {**BASE_ANSWERS, **answers}, "context": context}
    response = client.post("/api/v1/recommendations", json=body)
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()["plan"]
    return plan


@pytest.mark.parametrize(
    ("case", "answers", "context", "proposed"),
    [
        ("multilingual", {}, {"multilingual": True}, "qwen3-8b"),
        ("low latency", {"latency_p99_ms": 80}, {}, "qwen3-4b"),
        ("multilingual, low latency", {"latency_p99_ms": 80}, {"multilingual": True}, "qwen3-4b"),
        ("multilingual on-prem", {}, {"multilingual": True, "on_prem_required": True}, "qwen3-8b"),
    ],
)
def test_a_recommendation_proposes_a_current_model(
    client: TestClient,
    case: str,
    answers: dict[str, Any],
    context: dict[str, Any],
    proposed: str,
) -> None:
    plan = _plan(client, answers, context)
    assert plan["base_model"] == proposed, case
    assert plan["base_model"] in CURRENT
    assert plan["base_model_proposed"] is True
    assert plan["base_model_active_params_b"] == plan["base_model_params_b"]


def test_a_chosen_moe_model_reports_its_active_parameters(client: TestClient) -> None:
    plan = _plan(client, {}, {"base_model": "qwen3-30b-a3b"})
    assert plan["base_model_params_b"] == 30.5
    assert plan["base_model_active_params_b"] == pytest.approx(3.32, abs=0.01)


def test_openapi_documents_the_active_parameters(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Plan"]
    assert "base_model_active_params_b" in schema["required"]
    described = schema["properties"]["base_model_active_params_b"]["description"]
    assert "mixture of experts" in described


def test_the_page_names_a_moe_models_active_parameters() -> None:
    body = {"answers": BASE_ANSWERS, "context": {"base_model": "qwen3-30b-a3b"}}
    result = recommend(RecommendationRequest.model_validate(body))
    row = next(r for r in rows.plan_rows(result) if r.label == "Base model")
    assert row.value == "Qwen3 30B-A3B (MoE) (30.5B parameters, 3.32B active per token)"
    dense = recommend(RecommendationRequest.model_validate({"answers": BASE_ANSWERS}))
    assert "active" not in next(r for r in rows.plan_rows(dense) if r.label == "Base model").value
