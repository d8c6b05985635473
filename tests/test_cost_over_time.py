"""Crossovers: heavy API traffic pays back a self-hosted fine-tune fast; light traffic never."""

from __future__ import annotations

from typing import Any

from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from tests.cases import LOGISTICS


def _crossovers(body: dict[str, Any]) -> dict[tuple[str, str], int]:
    result = recommend(RecommendationRequest.model_validate(body))
    return {(c.approach, c.versus): c.month for c in result.cost.crossovers}


def test_api_replacement_pays_back_within_two_months() -> None:
    assert _crossovers(LOGISTICS)[("qlora", "api")] <= 2


def test_low_traffic_never_pays_back_within_24_months() -> None:
    light = {**LOGISTICS, "context": {**LOGISTICS["context"], "monthly_requests": 1000}}
    crossings = _crossovers(light)
    for approach in ("lora", "qlora", "full_fine_tuning"):
        assert (approach, "api") not in crossings


def test_series_cover_the_horizon_for_every_approach() -> None:
    body = {**LOGISTICS, "context": {**LOGISTICS["context"], "horizon_months": 36}}
    result = recommend(RecommendationRequest.model_validate(body))
    series = result.cost.series
    lines = {"api", "base", "rag", "lora", "qlora", "full_fine_tuning"}
    assert {s.approach for s in series} == lines
    assert all(len(s.cumulative_usd) == 36 for s in series)


def test_on_prem_serves_every_approach_on_own_gpus() -> None:
    body = {**LOGISTICS, "context": {**LOGISTICS["context"], "on_prem_required": True}}
    cost = recommend(RecommendationRequest.model_validate(body)).cost
    # Every option runs on your own GPUs; the frontier API stays in the data, priced for
    # comparison, but ruled out: no external API may be used.
    assert all(p.kind == "self_host" for line, p in cost.serving_plans.items() if line != "api")
    api = next(o for o in cost.options if o.line == "api")
    assert not api.eligible
    assert api.why_not is not None
    assert "no external API" in api.why_not
    assert cost.status_quo == "base"
    assert all(x.approach != "api" for x in cost.crossovers)
