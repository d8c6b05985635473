"""The recommendation as one typed value: the engine, the plan, the costs, the versions.

`recommend()` returns a frozen `Recommendation` (app/rules/result.py): what POST
/api/v1/recommendations and `python -m app recommend` serialise, and what a saved assessment
and its report are made from.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal, cast

from app.canonical import sha256_hex
from app.cost_model import COST_MODEL_VERSION
from app.cost_model.prices import prices_as_of
from app.cost_model.serving import ServingCost
from app.cost_model.training import TrainingEstimate
from app.questions import Answers, Context, RecommendationRequest
from app.questions.models import UNSURE_DEFAULTS, UnsureQuestion
from app.questions.text import catalogue_text
from app.rules.approaches import FINE_TUNING, Approach
from app.rules.catalogue import load_rules
from app.rules.cost_block import CostBlock, cost_block
from app.rules.counterfactuals import Counterfactual as CounterfactualValue
from app.rules.counterfactuals import find_counterfactuals
from app.rules.engine import Evaluation, Standing, evaluate
from app.rules.facts import build_facts
from app.rules.plan import Plan as PlanValues
from app.rules.plan import make_plan
from app.rules.result import (
    Assumption,
    Confidence,
    Costs,
    Counterfactual,
    CrossoverPoint,
    FiredRule,
    Plan,
    RankedApproach,
    Recommendation,
    SeriesLine,
    ServingPlan,
    TrainingSummary,
    UsdRange,
)
from app.vocabulary import words
from app.vocabulary.numbers import plural


def input_hash(answers: Answers, context: Context, unsure: tuple[str, ...] = ()) -> str:
    """SHA-256 of the canonical answers and context (defaults applied), and of the questions
    answered "I'm not sure" when there are any (they change the confidence)."""
    document: dict[str, Any] = {
        "answers": answers.model_dump(mode="json"),
        "context": context.model_dump(mode="json"),
    }
    if unsure:
        document["unsure"] = sorted(unsure)
    return sha256_hex(document)


def _why(ev: Evaluation, s: Standing) -> str:
    primary = ev.standings[0]
    if s is primary:
        return "Recommended: the highest score among the eligible approaches."
    if s.excluded_by:
        return "Not eligible: " + " ".join(f.reason() for f in s.excluded_by)
    if s.complement_only_by:
        return "Only as a complement: " + " ".join(f.reason() for f in s.complement_only_by)
    gaps = sorted(
        ((f.points(primary.approach) - f.points(s.approach), f.rule.id, f) for f in ev.fired),
        key=lambda g: (-g[0], g[1]),
    )
    deciding = [f for gap, _, f in gaps if gap > 0][:1]
    text = f"{plural(primary.score - s.score, 'point')} behind {primary.approach.label}"
    return text + (f": {deciding[0].reason()}" if deciding else ".")


LEVELS: tuple[Literal["low", "medium", "high"], ...] = ("low", "medium", "high")


def _confidence(ev: Evaluation, unsure: tuple[str, ...]) -> Confidence:
    """The margin between the first two approaches in words; each answer given as "I'm not
    sure" takes the level down one step, since the result rests on an assumed value."""
    catalogue = load_rules()
    margin = ev.margin
    second = ev.runner_up
    if margin is None or margin >= catalogue.high_margin:
        level = 2
    elif margin >= catalogue.medium_margin:
        level = 1
    else:
        level = 0
    explanation = (
        f"{ev.primary.label} leads {second.approach.label} by {plural(margin, 'point')}."
        if second is not None and margin is not None
        else f"{ev.primary.label} is the only eligible approach."
    )
    if unsure:
        level = max(0, level - len(unsure))
        asked = ", ".join(f"\u201c{words.question_label(q)}\u201d" for q in unsure)
        explanation += f" Lowered because the answer to {asked} was \u201cI\u2019m not sure\u201d."
    return Confidence(
        level=LEVELS[level],
        margin=margin,
        runner_up=second.approach if second is not None else None,
        explanation=explanation,
    )


def _assumptions(unsure: tuple[str, ...]) -> tuple[Assumption, ...]:
    return tuple(
        Assumption(
            question=cast("UnsureQuestion", qid),
            value=UNSURE_DEFAULTS[qid],
            note=catalogue_text().question(qid).unsure or "",
        )
        for qid in unsure
    )


def training_summary(est: TrainingEstimate, experiments: int) -> TrainingSummary:
    return TrainingSummary(
        method=est.request.method.value,
        gpu=est.request.gpu.id,
        gpu_count=est.gpu_count,
        micro_batch=est.micro_batch,
        peak_memory_gb=round(est.peak_memory_gib.expected, 1),
        fits_gpu=est.fits_gpu,
        gpu_hours_per_experiment=round(est.gpu_hours_per_experiment.expected, 2),
        per_experiment_usd=round(est.per_experiment_usd.expected, 2),
        per_experiment_usd_range=UsdRange.of(est.per_experiment_usd),
        experiments=experiments,
        tenant_runs=est.request.tenant_runs,
        runs=est.runs,
        total_usd=round(est.total_usd.expected, 2),
        total_usd_range=UsdRange.of(est.total_usd),
        tokens_per_second=round(est.run.tokens_per_second),
    )


def _plan(plan: PlanValues) -> Plan:
    m = plan.method
    est = m.estimate if m is not None else None
    model = plan.model
    return Plan(
        approach=plan.approach,
        fine_tuning_approach=plan.fine_tuning,
        base_model=model.id if model is not None else None,
        base_model_params_b=model.params_b if model is not None else None,
        base_model_proposed=plan.model_proposed if model is not None else None,
        gpu=est.request.gpu.id if est is not None else None,
        gpu_count=est.gpu_count if est is not None else None,
        adapter_strategy=cast("Literal['single', 'per_tenant'] | None", plan.adapter_strategy),
        experiments=m.experiments if m is not None else None,
        per_experiment_usd=round(est.per_experiment_usd.expected, 2) if est else None,
        timeline_weeks=plan.timeline.weeks if plan.timeline is not None else None,
        timeline_basis=plan.timeline.row if plan.timeline is not None else None,
        test_set_examples=plan.test_set_examples,
        evaluation=plan.evaluation,
        architecture_review_questions=plan.review_questions,
    )


@lru_cache(maxsize=1024)
def _serving_plan(model: str, api_model: str, name: str, serve: ServingCost) -> ServingPlan:
    """How a line is served, as data and in words (models and GPUs by name). Cached: it
    depends on the traffic and the model, not on the answers that change most often."""
    retrieval = name == "rag"
    if serve.approach == "api":
        how = words.serving("api", api_model=api_model, retrieval=retrieval)
        return ServingPlan(kind="api", how=how)
    if serve.self_host is None:
        return ServingPlan(kind="hosted", how=words.serving("hosted", model=model))
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
    )


def _cost(ev: Evaluation, plan: PlanValues, block: CostBlock) -> Costs:
    facts = ev.facts
    by_method = {
        a.value: training_summary(m.estimate, m.experiments)
        for a in FINE_TUNING
        if (m := facts.for_approach(a)) is not None
    }
    planned = by_method[plan.fine_tuning.value] if plan.fine_tuning and plan.method else None
    model, api_model = facts.model.id, facts.context.reference_api_model
    plans = {name: _serving_plan(model, api_model, name, s) for name, s in block.serving.items()}
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
            CrossoverPoint(approach=c.approach, versus=c.versus, month=c.month)
            for c in block.crossovers
        ),
    )


def _counterfactual(cf: CounterfactualValue) -> Counterfactual:
    change = {name: (v.value if hasattr(v, "value") else v) for name, v in cf.change}
    return Counterfactual(change=change, approach=cf.approach, sentence=cf.sentence, band=cf.band)


def _defaults(context: Context) -> tuple[str, ...]:
    default = Context()
    return tuple(
        name for name in Context.model_fields if getattr(context, name) == getattr(default, name)
    )


def recommend(request: RecommendationRequest) -> Recommendation:
    answers, context, unsure = request.answers, request.context, request.unsure
    ev = evaluate(build_facts(answers, context))
    plan = make_plan(ev)
    block = cost_block(ev.facts)
    primary = ev.primary
    return Recommendation(
        approach=primary,
        approach_label=words.approach(primary.value),
        summary=summary(ev),
        complements=ev.complements,
        confidence=_confidence(ev, unsure),
        assumptions=_assumptions(unsure),
        ranking=tuple(
            RankedApproach(
                rank=i,
                approach=s.approach,
                label=words.approach(s.approach.value),
                eligible=s.eligible,
                primary_eligible=s.primary_eligible,
                score=s.score,
                why=_why(ev, s),
            )
            for i, s in enumerate(ev.standings, 1)
        ),
        rules_fired=tuple(
            FiredRule(id=f.rule.id, effect=f.rule.effect, reason=f.reason(), source=f.rule.source)
            for f in ev.fired
        ),
        warnings=ev.warnings,
        counterfactuals=tuple(_counterfactual(cf) for cf in find_counterfactuals(ev)),
        plan=_plan(plan),
        cost=_cost(ev, plan, block),
        answers=answers,
        context=context,
        context_defaults=_defaults(context),
        unsure=unsure,
        rules_version=load_rules().version,
        cost_model_version=COST_MODEL_VERSION,
        prices_as_of=prices_as_of(),
        input_hash=input_hash(answers, context, unsure),
    )


def _deciding_reason(ev: Evaluation) -> str:
    """The one reason a reader needs first: why the approach with the most points in its favour
    was ruled out, or else the rule that most separates the winner from the runner-up."""
    primary = ev.standings[0]
    strongest = max(ev.standings, key=lambda s: s.score)
    blockers = strongest.excluded_by or strongest.complement_only_by
    if strongest.score > primary.score and blockers:
        return blockers[0].reason()
    second = ev.runner_up
    if not ev.fired:
        return ""
    best = max(
        ev.fired,
        key=lambda f: f.points(primary.approach) - (f.points(second.approach) if second else 0),
    )
    return best.reason()


def summary(ev: Evaluation) -> str:
    text = f"Recommended: {ev.primary.label}."
    if ev.complements:
        text += " Alongside it: " + ", ".join(c.label for c in ev.complements) + "."
    return f"{text} {_deciding_reason(ev)}".strip()


__all__ = ["Approach", "Recommendation", "input_hash", "recommend"]
