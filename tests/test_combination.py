"""One decision, one set of figures (issue 22, items 1 and 4): the recommendation with its
complements is one costed option whose parts add up, and it pays back only against an option
that meets the musts of the answers."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from app.questions import RecommendationRequest
from app.rules.base.approaches import FINE_TUNING, Approach
from app.rules.base.requirements import Must
from app.rules.recommend import recommend
from app.rules.result import CostOption, Recommendation
from benchmarks.situations import situations
from tests.cases import LEGAL
from tests.strategies import answers as answer_strategy
from tests.strategies import context as context_strategy

CATALOGUE = situations()["daily-catalogue"]
"""The public scenario of a product catalogue that changes daily (004)."""

MANY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(body: dict[str, Any]) -> Recommendation:
    return recommend(RecommendationRequest.model_validate(body))


def _recommended(r: Recommendation) -> CostOption:
    (option,) = [o for o in r.cost.options if o.recommended]
    return option


def _cents(*values: float) -> float:
    return round(sum(values), 2)


def _check_one_option(r: Recommendation) -> None:
    """The recommended line exists everywhere a line does, and its parts add up to it."""
    c, p = r.cost, r.cost.payback
    assert p is not None
    option = _recommended(r)
    line = option.line
    assert line == p.line == c.recommended
    assert line in {s.approach for s in c.series}
    for table in (c.build_usd, c.monthly, c.monthly_serving, c.serving_plans):
        assert line in table
    assert p.build_usd == c.build_usd[line]
    trains = r.plan.fine_tuning_approach
    combined = trains is not None and Approach.rag in (r.approach, *r.complements)
    if not combined:
        assert not option.parts
        assert line != "recommended"
        return
    assert line == "recommended"
    assert [part.approach for part in option.parts] == [r.approach, *r.complements]
    assert c.build_usd[line] == _cents(*(part.build_usd for part in option.parts))
    assert c.monthly[line] == _cents(*(part.monthly_usd for part in option.parts))
    assert c.monthly_serving[line] == _cents(*(part.monthly_serving_usd for part in option.parts))
    tuning = next(part for part in option.parts if part.approach in FINE_TUNING)
    assert c.training is not None
    assert tuning.build_usd == c.training.total_usd
    assert tuning.runs == c.training.runs == tuning.experiments + tuning.tenant_runs
    assert c.monthly_retraining_reserve[line] == tuning.monthly_retraining_reserve_usd


def _check_baseline(r: Recommendation) -> None:
    """The recommendation meets every must, and so does what it pays back against."""
    c, p = r.cost, r.cost.payback
    assert p is not None
    by_line = {o.line: o for o in c.options}
    assert _recommended(r).meets_requirements, c.requirements
    versus = by_line[p.versus]
    assert versus.meets_requirements, (p.versus, versus.fails_requirements)
    assert p.versus_meets_requirements
    assert versus.eligible or p.versus == c.status_quo
    status_quo = by_line[c.status_quo]
    assert p.status_quo == c.status_quo
    assert p.status_quo_fails == status_quo.fails_requirements
    if status_quo.meets_requirements:
        assert p.versus == c.status_quo
        assert p.versus_reason == "status_quo"
    else:
        assert p.versus_reason != "status_quo"
        assert c.status_quo in {s.approach for s in c.series}  # kept on the chart as context
    for o in c.options:
        assert o.meets_requirements == (not o.fails_requirements)
        assert set(o.fails_requirements) <= set(c.requirements)


@MANY
@given(answer_strategy, context_strategy)
def test_the_recommendation_is_one_option_whose_parts_add_up(
    a: dict[str, Any], ctx: dict[str, Any]
) -> None:
    _check_one_option(_run({"answers": a, "context": ctx}))


@MANY
@given(answer_strategy, context_strategy)
def test_the_payback_baseline_meets_every_must(a: dict[str, Any], ctx: dict[str, Any]) -> None:
    _check_baseline(_run({"answers": a, "context": ctx}))


def test_the_legal_recommendation_is_retrieval_with_a_lora_per_tenant_costed_together() -> None:
    r = _run(LEGAL)
    assert (r.approach, r.complements) == (Approach.rag, (Approach.lora,))
    _check_one_option(r)
    c, p = r.cost, r.cost.payback
    assert p is not None
    rag, lora = _recommended(r).parts
    assert (rag.approach, rag.role, lora.approach, lora.role) == (
        Approach.rag,
        "primary",
        Approach.lora,
        "complement",
    )
    # The build includes every further tenant's own runs (three each), not retrieval's alone.
    assert lora.tenant_runs == 11 * 3
    assert r.plan.tenant_runs == 11 * 3
    assert r.plan.experiments is not None
    assert r.plan.runs == lora.runs == r.plan.experiments + 11 * 3
    assert p.build_usd == _cents(rag.build_usd, lora.build_usd) > c.build_usd["rag"]
    # One serving plan: the fine-tuned model, self-hosted on-prem, after the retrieval hop.
    plan = c.serving_plans["recommended"]
    assert plan.kind == "self_host"
    assert plan.estimated_p99_ms is not None
    # The prompted model cannot cite: retrieval on the same model is the baseline.
    assert c.status_quo == "base"
    assert p.versus == "rag"
    assert p.versus_reason == "cheapest_meeting_requirements"
    assert p.status_quo_fails == (Must.citations,)
    assert "cannot cite its sources" in p.sentence


def test_a_daily_catalogue_does_not_pay_back_against_an_api_that_cannot_know_it() -> None:
    r = _run(CATALOGUE)
    _check_baseline(r)
    c, p = r.cost, r.cost.payback
    assert p is not None
    assert r.approach is Approach.rag
    assert c.requirements == (Must.fresh_facts,)
    api = next(o for o in c.options if o.line == "api")
    assert not api.meets_requirements
    assert api.fails_requirements == (Must.fresh_facts,)
    assert (p.line, p.versus, p.versus_reason) == ("rag", "rag", "nothing_else_meets_requirements")
    assert p.month is None
    assert "does not pay back" not in p.sentence
    assert "cannot know facts that change daily" in p.sentence
    assert "api" in {s.approach for s in c.series}


def test_without_a_complement_the_recommended_line_is_the_primary_s_own() -> None:
    r = _run({**CATALOGUE, "context": {}})
    assert not r.complements
    assert r.cost.recommended == "rag"
    assert "recommended" not in r.cost.monthly
