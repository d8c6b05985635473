"""Invariants over the whole answer space (hypothesis)."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.canonical import canonical_json, json_bytes
from app.config import Settings
from app.cost_model.architecture import model_for_size
from app.cost_model.methods import Method
from app.cost_model.training import TrainingRequest, estimate_training
from app.questions import (
    RecommendationRequest,
)
from app.rules.base.approaches import FINE_TUNING, Approach
from app.rules.base.facts import build_facts
from app.rules.recommend import recommend
from tests.strategies import CAT, FAST, answers, context, recommendation_json


def _eligible(result: dict[str, Any]) -> set[str]:
    return {r["approach"] for r in result["ranking"] if r["eligible"]}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One SQLite file for the module's apps, under a temporary folder: the default settings'
    ./var/tunewise.sqlite3 would be a file the test run leaves in the tree."""
    db = tmp_path_factory.mktemp("properties") / "tunewise.sqlite3"
    return Settings(database_url=f"sqlite:///{db}")


@FAST
@given(answers, context)
def test_every_answer_set_gets_a_valid_approach(
    database: Settings, a: dict[str, Any], c: dict[str, Any]
) -> None:
    with TestClient(_app(database)) as client:
        response = client.post("/api/v1/recommendations", json={"answers": a, "context": c})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["approach"] in {x.value for x in Approach}
    assert {r["approach"] for r in result["ranking"]} == {x.value for x in Approach}
    assert result["ranking"][0]["approach"] == result["approach"]


def _app(settings: Settings) -> Any:
    from app.main import create_app  # noqa: PLC0415

    return create_app(settings)


@FAST
@given(answers, context)
def test_same_input_same_bytes(a: dict[str, Any], c: dict[str, Any]) -> None:
    assert canonical_json(recommendation_json(a, c)) == canonical_json(
        recommendation_json(dict(a), dict(c))
    )


@FAST
@given(answers, context, st.floats(1, 1e7))
def test_more_budget_never_makes_a_method_ineligible(
    a: dict[str, Any], c: dict[str, Any], extra: float
) -> None:
    richer = {**a, "budget_usd": min(100_000_000.0, a["budget_usd"] + extra)}
    assert _eligible(recommendation_json(a, c)) <= _eligible(recommendation_json(richer, c))


@FAST
@given(answers, context, st.integers(0, 199))
def test_under_200_examples_never_fine_tunes(
    a: dict[str, Any], c: dict[str, Any], examples: int
) -> None:
    result = recommendation_json({**a, "labelled_examples": examples}, c)
    assert result["approach"] not in {x.value for x in FINE_TUNING}
    assert not (_eligible(result) & {x.value for x in FINE_TUNING})


@FAST
@given(answers, context)
def test_cumulative_series_never_decrease(a: dict[str, Any], c: dict[str, Any]) -> None:
    for series in recommendation_json(a, c)["cost"]["series"]:
        for key in ("cumulative_usd", "low_usd", "high_usd"):
            values = series[key]
            assert all(x <= y for x, y in pairwise(values))
        assert all(
            lo <= mid <= hi
            for lo, mid, hi in zip(
                series["low_usd"], series["cumulative_usd"], series["high_usd"], strict=True
            )
        )


methods = st.sampled_from(list(Method))
gpus = st.sampled_from(sorted(CAT.gpus))


def _est(method: Method, size: float, gpu: str, examples: int = 1000) -> Any:
    return estimate_training(
        TrainingRequest(
            method=method,
            model=model_for_size(size),
            gpu=CAT.gpus[gpu],
            examples=examples,
            micro_batch=1,
        )
    )


@settings(max_examples=150, deadline=None)
@given(methods, st.floats(0.5, 200), gpus, st.integers(1, 1_000_000), st.integers(1, 1_000_000))
def test_more_examples_never_cost_less(
    method: Method, size: float, gpu: str, n: int, extra: int
) -> None:
    assert (
        _est(method, size, gpu, n).total_usd.expected
        <= _est(method, size, gpu, n + extra).total_usd.expected
    )


@settings(max_examples=150, deadline=None)
@given(methods, st.floats(0.5, 200), st.floats(0.01, 100), gpus)
def test_a_bigger_model_never_needs_less_memory(
    method: Method, size: float, extra: float, gpu: str
) -> None:
    small = _est(method, size, gpu).peak_memory_gib.expected
    assert small <= _est(method, size + extra, gpu).peak_memory_gib.expected


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(CAT.models)), gpus, st.sampled_from([1, 2, 4, 8]))
def test_qlora_never_needs_more_memory_than_lora(model: str, gpu: str, batch: int) -> None:
    def peak(method: Method) -> float:
        req = TrainingRequest(
            method=method, model=CAT.models[model], gpu=CAT.gpus[gpu], micro_batch=batch
        )
        return estimate_training(req).peak_memory_gib.expected

    assert peak(Method.qlora) <= peak(Method.lora)


@FAST
@given(answers, context)
def test_response_bytes_mean_what_the_canonical_form_means(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    """The fast writer of response bodies and the pinned one behind input_hash agree on the
    document, and each is deterministic."""
    result = recommendation_json(a, c)
    assert json.loads(json_bytes(result)) == json.loads(canonical_json(result))
    assert json_bytes(result) == json_bytes(recommendation_json(dict(a), dict(c)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers, context)
def test_full_fine_tuning_never_costs_less_than_lora(a: dict[str, Any], c: dict[str, Any]) -> None:
    """Full fine-tuning comes after a LoRA comparison (001: "ask for a 1-day comparison. Run a
    small LoRA fine-tune"), so its programme is never cheaper than LoRA's for the same shape,
    in the figure the budget rule compares and in the figures a reader sees."""
    request = RecommendationRequest.model_validate({"answers": a, "context": c})
    facts = build_facts(request.answers, request.context)
    lora, full = facts.method(Method.lora), facts.method(Method.full)
    assert lora.programme_usd <= full.programme_usd, (lora.programme_usd, full.programme_usd)


@FAST
@given(answers, context)
def test_the_reader_sees_the_programme_the_budget_rule_compared(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    """`training_by_method`, the build cost and the budget rule use one figure per method;
    full fine-tuning's says how much of it is the LoRA comparison."""
    request = RecommendationRequest.model_validate({"answers": a, "context": c})
    facts = build_facts(request.answers, request.context)
    cost = recommend(request).cost
    assert set(cost.training_by_method) == {x.value for x in FINE_TUNING}
    for name, shown in cost.training_by_method.items():
        m = facts.for_approach(Approach(name))
        assert m is not None
        assert shown.total_usd == round(m.programme_usd, 2) == shown.total_usd_range.expected
        assert cost.build_usd[name] == shown.total_usd
        assert shown.total_usd_range.low <= shown.total_usd <= shown.total_usd_range.high
    lora = cost.training_by_method[Approach.lora.value]
    full = cost.training_by_method[Approach.full_fine_tuning.value]
    assert lora.includes_lora_comparison_usd is None
    # The comparison is LoRA on the examples full fine-tuning trains on: every one, while a
    # tight budget may curate LoRA's own plan to fewer (never more).
    assert full.includes_lora_comparison_usd is not None
    if lora.curated:
        assert full.includes_lora_comparison_usd >= lora.total_usd
    else:
        assert full.includes_lora_comparison_usd == lora.total_usd
    assert lora.total_usd <= full.total_usd
