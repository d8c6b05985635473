"""Economics that compare like with like (issue 12): options a PM chooses between, each named by
what it is and priced on the model it runs on; crossovers only among eligible options and the
status quo; the recommendation's payback in one sentence; the hosted premium as a band."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from app.cost_model.prices import fine_tuned_premium
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views import rows
from app.vocabulary.numbers import usd
from tests.cases import LOGISTICS
from tests.conftest import BASE_ANSWERS
from tests.strategies import answers as answer_strategy
from tests.strategies import context as context_strategy


def _run(answers: dict[str, Any], context: dict[str, Any] | None = None) -> Recommendation:
    body = {"answers": {**BASE_ANSWERS, **answers}, "context": context or {}}
    return recommend(RecommendationRequest.model_validate(body))


def _eligible(r: Recommendation) -> set[str]:
    return {o.line for o in r.cost.options if o.eligible}


def _assert_crossovers_mean_something(r: Recommendation) -> None:
    eligible = _eligible(r)
    for x in r.cost.crossovers:
        assert x.approach in eligible, (x.approach, x.versus)
        assert x.versus in eligible or x.versus == r.cost.status_quo, (x.approach, x.versus)


def test_hundred_examples_and_a_weak_team_show_no_crossover_for_fine_tuning() -> None:
    """Before: "LoRA beats API at month 1" although LoRA was not eligible."""
    r = _run({"labelled_examples": 100, "ml_capability": 1})
    assert r.approach.value == "dont_fine_tune"
    assert not {"lora", "qlora", "full_fine_tuning"} & _eligible(r)
    assert not any(x.approach in {"lora", "qlora", "full_fine_tuning"} for x in r.cost.crossovers)
    _assert_crossovers_mean_something(r)
    lora = next(o for o in r.cost.options if o.line == "lora")
    assert lora.why_not
    assert "labelled examples" in lora.why_not


def test_a_daily_catalogue_praises_no_ruled_out_option() -> None:
    r = _run({"objective": "knowledge", "data_freshness": "daily"})
    assert r.approach.value == "rag"
    _assert_crossovers_mean_something(r)
    rag = next(o for o in r.cost.options if o.line == "rag")
    assert rag.recommended
    assert rag.label == "GPT-5.2 API + retrieval"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_strategy, context_strategy)
def test_a_ruled_out_option_never_wins_a_crossover(a: dict[str, Any], c: dict[str, Any]) -> None:
    r = recommend(RecommendationRequest.model_validate({"answers": a, "context": c}))
    _assert_crossovers_mean_something(r)
    assert sum(o.recommended for o in r.cost.options) == 1
    assert sum(o.status_quo for o in r.cost.options) == 1
    assert all(o.price_source for o in r.cost.options)


def test_each_option_is_named_by_its_model_and_serving_and_priced_on_it() -> None:
    r = _run({})
    by_line = {o.line: o for o in r.cost.options}
    assert by_line["api"].label == "GPT-5.2 API"
    assert by_line["api"].status_quo
    assert by_line["base"].label == "Llama 3.1 8B, prompted, hosted"
    assert by_line["lora"].label == "Llama 3.1 8B + LoRA, hosted"
    assert by_line["lora"].recommended
    assert "Together AI" in by_line["lora"].price_source
    assert "20%" in by_line["lora"].price_source
    assert "100%" in by_line["lora"].price_source
    assert "20%" not in by_line["base"].price_source  # the base model pays no premium
    # The prompted open model is the fine-tuned one without the premium or retraining.
    assert r.cost.monthly_serving["base"] < r.cost.monthly_serving["lora"]
    assert r.cost.monthly_retraining_reserve["base"] == 0


def test_the_hosted_premium_is_a_band_from_zero_to_double() -> None:
    premium = fine_tuned_premium()
    assert (premium.low, premium.expected, premium.high) == (0.0, 0.2, 1.0)
    r = _run({})
    base = r.cost.monthly_serving["base"]
    lora = r.cost.monthly_range["lora"]
    reserve = r.cost.monthly_retraining_reserve["lora"]
    assert abs((lora.expected - reserve) - base * 1.2) < 0.02


def test_on_prem_compares_retrieval_and_the_status_quo_on_the_open_model() -> None:
    r = _run({}, {"on_prem_required": True})
    plans = r.cost.serving_plans
    assert r.cost.status_quo == "base"
    assert plans["rag"].kind == "self_host"
    assert plans["base"].kind == "self_host"
    rag = next(o for o in r.cost.options if o.line == "rag")
    assert rag.label == "Llama 3.1 8B + retrieval, self-hosted"


def test_retrieval_follows_a_self_hosted_plan_onto_the_open_model() -> None:
    """At the logistics example's traffic the fine-tuned model is self-hosted, so retrieval
    is priced on the same open model, not on the frontier API."""
    r = recommend(RecommendationRequest.model_validate(LOGISTICS))
    planned = r.cost.serving_plans[r.approach.value]
    assert planned.kind == "self_host"
    assert r.cost.serving_plans["rag"].kind != "api"


def test_the_payback_sentence_gives_build_month_and_saving_with_its_range() -> None:
    r = _run({})
    p = r.cost.payback
    assert p is not None
    assert p.line == "lora"
    assert p.versus == "api"
    series = {s.approach: s for s in r.cost.series}
    assert p.month == next(
        m
        for m, (x, y) in enumerate(
            zip(series["lora"].cumulative_usd, series["api"].cumulative_usd, strict=True), 1
        )
        if x < y
    )
    expected = series["api"].cumulative_usd[-1] - series["lora"].cumulative_usd[-1]
    assert abs(p.saving_usd.expected - expected) < 0.02
    assert p.saving_usd.low <= p.saving_usd.expected <= p.saving_usd.high
    assert p.sentence.startswith(
        f"Llama 3.1 8B + LoRA, hosted costs {usd(p.build_usd)} to build and pays back against "
        f"GPT-5.2 API in month {p.month}; over 24 months it saves {usd(p.saving_usd.expected)} "
        f"(range {usd(p.saving_usd.low)} to {usd(p.saving_usd.high)})."
    )
    # How much of it is the change of model rather than the fine-tuning.
    assert "Prompting the same model without fine-tuning" in p.sentence


def test_an_option_that_never_pays_back_says_so() -> None:
    """Facts that change monthly set no must the frontier API fails (a daily catalogue does:
    test_combination.py), so it stays the baseline."""
    r = _run({"objective": "knowledge", "data_freshness": "monthly"})
    p = r.cost.payback
    assert p is not None
    assert p.month is None
    assert "does not pay back against GPT-5.2 API within 24 months" in p.sentence


def test_the_page_and_the_report_carry_the_payback_sentence() -> None:
    r = _run({})
    assert r.cost.payback is not None
    assert rows.payback_sentence(r) == r.cost.payback.sentence
