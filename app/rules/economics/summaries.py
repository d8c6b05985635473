"""The plan and the costs as typed result values: what recommend() puts under `plan` and
`cost`, with money rounded to cents and models and GPUs named in words."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal, cast

from app.cost_model.latency_fit import LatencyCheck
from app.cost_model.latency_fit import LatencyFix as LatencyFixValue
from app.cost_model.recipe_build import build_recipe
from app.cost_model.recipe_model import Recipe
from app.cost_model.serving import ServingCost
from app.cost_model.training import TrainingRequest, estimate_training
from app.rules.base.approaches import FINE_TUNING
from app.rules.base.facts import Facts, MethodFacts
from app.rules.base.requirements import musts
from app.rules.decision.engine import Evaluation
from app.rules.decision.latency_rules import line_latency
from app.rules.decision.plan import Plan as PlanValues
from app.rules.economics.cost_block import CostBlock
from app.rules.economics.managed import LINE as MANAGED
from app.rules.economics.managed_summary import summary as managed_summary
from app.rules.economics.options import (
    RETRIEVAL_LINES,
    meaningful_crossovers,
    options,
    recommended_line,
)
from app.rules.economics.payback import payback
from app.rules.economics.provider_events import provider_events
from app.rules.economics.tenants import tenant_work
from app.rules.result import (
    Costs,
    CrossoverPoint,
    MsRange,
    Plan,
    SeriesLine,
    ServingPlan,
    TrainingSummary,
    UsdRange,
)
from app.rules.result.latency import LatencyFix
from app.vocabulary import words


def full_data_usd(facts: Facts, m: MethodFacts) -> float | None:
    """What the method's programme would cost on every labelled example, priced the way the
    budget rule priced the subset (`Shape.cost`); None when it trains on every one already."""
    n = facts.answers.labelled_examples
    return None if m.examples >= n else facts.shape(m.method).cost(n)


def training_summary(
    facts: Facts, m: MethodFacts, full_data: float | None = None
) -> TrainingSummary:
    """A method's programme as a reader sees it: `total_usd` is the figure the budget rule
    compared (`programme_usd`, with full fine-tuning's LoRA comparison), to the cent;
    `full_data` is the programme on every example when the budget curated a subset; `tenants`
    what each tenant after the first adds."""
    est, experiments = m.estimate, m.experiments
    labelled_examples = facts.answers.labelled_examples
    total = round(m.programme_usd, 2)
    whole = m.programme_range
    return TrainingSummary(
        method=est.request.method.value,
        gpu=est.request.gpu.id,
        gpu_count=est.gpu_count,
        micro_batch=est.micro_batch,
        peak_memory_gb=round(est.per_gpu_memory.peak_gib, 1),
        fits_gpu=est.fits_gpu_count,
        single_gpu_peak_memory_gb=round(est.peak_memory_gib.expected, 1),
        fits_single_gpu=est.fits_gpu,
        gpu_hours_per_experiment=round(est.gpu_hours_per_experiment.expected, 2),
        per_experiment_usd=round(est.per_experiment_usd.expected, 2),
        per_experiment_usd_range=UsdRange.of(est.per_experiment_usd),
        examples=m.examples,
        curated=m.examples < labelled_examples,
        full_data_total_usd=None if full_data is None else round(full_data, 2),
        experiments=experiments,
        tenant_runs=est.request.tenant_runs,
        runs=est.runs,
        tenants=tenant_work(facts, m),
        total_usd=total,
        total_usd_range=UsdRange.of(whole, expected=m.programme_usd),
        includes_lora_comparison_usd=(
            None if m.comparison is None else round(m.comparison.programme_usd, 2)
        ),
        tokens_per_second=round(est.tokens_per_second),
    )


def plan_summary(plan: PlanValues) -> Plan:
    m = plan.method
    est = m.estimate if m is not None else None
    model = plan.model
    return Plan(
        approach=plan.approach,
        fine_tuning_approach=plan.fine_tuning,
        base_model=model.id if model is not None else None,
        base_model_params_b=model.params_b if model is not None else None,
        base_model_active_params_b=round(model.active_params_b, 2) if model is not None else None,
        base_model_proposed=plan.model_proposed if model is not None else None,
        gpu=est.request.gpu.id if est is not None else None,
        gpu_count=est.gpu_count if est is not None else None,
        adapter_strategy=cast("Literal['single', 'per_tenant'] | None", plan.adapter_strategy),
        experiments=m.experiments if m is not None else None,
        tenant_runs=est.request.tenant_runs if est is not None else None,
        runs=est.runs if est is not None else None,
        per_experiment_usd=round(est.per_experiment_usd.expected, 2) if est else None,
        timeline_weeks=plan.timeline.weeks if plan.timeline is not None else None,
        timeline_basis=plan.timeline.row if plan.timeline is not None else None,
        test_set_examples=plan.test_set_examples,
        evaluation=plan.evaluation,
        architecture_review_questions=plan.review_questions,
        recipe=_recipe(m.request, plan.test_set_examples) if m is not None else None,
    )


@lru_cache(maxsize=1024)
def _recipe(request: TrainingRequest, test_set_examples: int | None) -> Recipe:
    """The planned run's recipe, cached on its request (its estimate is `estimate_training`'s
    for it, as `MethodFacts.estimate` is): a frozen result, and its words (a dozen values, each
    with its reasons and figures) are the same for every answer that plans the same run."""
    return build_recipe(estimate_training(request), test_set_examples=test_set_examples)


def _fix(fix: LatencyFixValue) -> LatencyFix:
    return LatencyFix(
        kind=fix.kind,
        estimated_p99_ms=round(fix.p99_ms),
        model=fix.model,
        gpu=fix.gpu,
        gpus_per_replica=fix.tensor_parallel,
        replicas=fix.replicas,
        output_tokens=fix.output_tokens,
        monthly_usd=None if fix.monthly_usd is None else round(fix.monthly_usd, 2),
    )


def _times(check: LatencyCheck | None, target_ms: int | None) -> dict[str, Any]:
    """A line's answer time against the target, as ServingPlan's fields."""
    if check is None:
        return {} if target_ms is None else {"latency_target_ms": target_ms}
    est = check.estimate
    return {
        "estimated_p99_ms": MsRange.of(est.p99_ms),
        "estimated_first_token_p99_ms": MsRange.of(est.first_token_ms),
        "latency_target_ms": check.target_ms,
        "meets_target": check.meets,
        "first_token_meets_target": check.first_token_meets,
        "answer_batch": est.batch,
        "latency_fixes": tuple(_fix(f) for f in check.fixes),
    }


TUNED_LINES = frozenset({"lora", "qlora", "full_fine_tuning", "recommended"})
"""The lines served on a fine-tuned model (the recommendation with its complements included)."""


@lru_cache(maxsize=1024)
def _serving_plan(
    model: str,
    api_model: str,
    name: str,
    serve: ServingCost,
    check: LatencyCheck | None = None,
    target_ms: int | None = None,
) -> ServingPlan:
    """How a line is served, as data and in words (models and GPUs by name), with its answer
    time against the target when it is estimated. Cached: it depends on the traffic, the model
    and the target, not on the answers that change most often."""
    retrieval = name in RETRIEVAL_LINES
    times = _times(check, target_ms)
    if serve.approach == "api":
        how = words.serving("api", api_model=api_model, retrieval=retrieval)
        return ServingPlan(kind="api", how=how, **times)
    if name == MANAGED:  # trained and served by a provider, on the provider's model
        return ServingPlan(kind="hosted", how=serve.how, **times)
    if serve.self_host is None:
        tuned = name in TUNED_LINES  # a prompted model pays no premium
        how = words.serving("hosted", model=model, retrieval=retrieval, fine_tuned=tuned)
        return ServingPlan(kind="hosted", how=how, **times)
    host = serve.self_host
    how = words.serving(
        "self_host",
        model=model,
        retrieval=retrieval,
        gpu=host.gpu,
        replicas=host.replicas,
        gpus_per_replica=host.tensor_parallel,
        requests_per_second=host.requests_per_second_per_replica,
    )
    return ServingPlan(
        kind="self_host",
        how=how,
        gpu=host.gpu,
        gpus=host.gpus,
        replicas=host.replicas,
        gpus_per_replica=host.tensor_parallel,
        requests_per_second_per_replica=round(host.requests_per_second_per_replica, 2),
        **times,
    )


def cost_summary(ev: Evaluation, plan: PlanValues, block: CostBlock) -> Costs:
    facts = ev.facts
    found = options(ev, block)
    by_method = {
        a.value: training_summary(facts, m, full_data_usd(facts, m))
        for a in FINE_TUNING
        if (m := facts.for_approach(a)) is not None
    }
    planned = by_method[plan.fine_tuning.value] if plan.fine_tuning and plan.method else None
    model, api_model = facts.model.id, facts.context.reference_api_model
    target = facts.answers.latency_p99_ms
    plans = {
        name: _serving_plan(
            model,
            api_model,
            name,
            s,
            line_latency(facts.model, facts.context, name, s, target),
            target,
        )
        for name, s in block.serving.items()
    }
    return Costs(
        training=planned,
        training_by_method=by_method,
        build_usd={c.name: round(c.build_usd.expected, 2) for c in block.costs},
        monthly={c.name: round(c.monthly_usd.expected, 2) for c in block.costs},
        monthly_range={c.name: UsdRange.of(c.monthly_usd) for c in block.costs},
        monthly_serving={c.name: round(c.serving_usd.expected, 2) for c in block.costs},
        monthly_retraining_reserve={c.name: round(c.reserve_usd.expected, 2) for c in block.costs},
        serving={name: p.how for name, p in plans.items()},
        serving_plans=plans,
        months=block.months,
        series=tuple(
            SeriesLine(approach=s.name, cumulative_usd=s.expected, low_usd=s.low, high_usd=s.high)
            for s in block.series
        ),
        crossovers=tuple(
            CrossoverPoint(approach=a, versus=v, month=m)
            for a, v, m in meaningful_crossovers(block, found)
        ),
        options=found,
        status_quo=block.status_quo,
        recommended=recommended_line(ev, block),
        requirements=musts(facts),
        payback=payback(ev, block, found),
        managed_fine_tuning=managed_summary(block.managed),
        provider_events=provider_events(facts, block, found),
    )


def serving_words(model_id: str, api_model: str, line: str, serve: ServingCost) -> str:
    """How a line is served, in words, as the cost comparison says it (a proposal's too)."""
    return _serving_plan(model_id, api_model, line, serve).how
