"""The recommendation as one JSON-ready document: the engine, the plan, the costs, the versions.

This is the shape POST /api/v1/recommendations and `python -m app recommend` return, and what
a saved assessment and its report are made from.
"""

from __future__ import annotations

from typing import Any

from app.canonical import sha256_hex
from app.cost_model import COST_MODEL_VERSION
from app.cost_model.prices import prices_as_of
from app.cost_model.ranges import Range
from app.cost_model.training import TrainingEstimate
from app.questions import Answers, Context, RecommendationRequest
from app.questions.models import UNSURE_DEFAULTS
from app.questions.text import catalogue_text
from app.rules.approaches import FINE_TUNING, Approach
from app.rules.catalogue import load_rules
from app.rules.cost_block import CostBlock, cost_block
from app.rules.counterfactuals import Counterfactual, find_counterfactuals
from app.rules.engine import Evaluation, Standing, evaluate
from app.rules.facts import build_facts
from app.rules.plan import Plan, make_plan


def money(r: Range) -> dict[str, float]:
    return r.as_dict(2)


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
        ((f.points(primary.approach) - f.points(s.approach), f.rule.id) for f in ev.fired),
        key=lambda g: (-g[0], g[1]),
    )
    against = [rule_id for gap, rule_id in gaps if gap > 0][:3]
    text = f"Scored {s.score} against {primary.score} for {primary.approach.label}"
    return text + (f"; the rules that separate them: {', '.join(against)}." if against else ".")


LEVELS = ("low", "medium", "high")


def _confidence(ev: Evaluation, unsure: tuple[str, ...]) -> dict[str, Any]:
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
        f"{ev.primary.label} leads {second.approach.label} by {margin} point(s)."
        if second is not None and margin is not None
        else f"{ev.primary.label} is the only eligible approach."
    )
    if unsure:
        level = max(0, level - len(unsure))
        explanation += (
            f' Lowered for {len(unsure)} answer(s) given as "I\'m not sure": '
            + ", ".join(unsure)
            + "."
        )
    return {
        "level": LEVELS[level],
        "margin": margin,
        "runner_up": second.approach.value if second is not None else None,
        "explanation": explanation,
    }


def _assumptions(unsure: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "question": qid,
            "value": UNSURE_DEFAULTS[qid],
            "note": catalogue_text().question(qid).unsure or "",
        }
        for qid in unsure
    ]


def training_summary(est: TrainingEstimate, experiments: int) -> dict[str, Any]:
    return {
        "method": est.request.method.value,
        "gpu": est.request.gpu.id,
        "gpu_count": est.gpu_count,
        "micro_batch": est.micro_batch,
        "peak_memory_gb": round(est.peak_memory_gib.expected, 1),
        "fits_gpu": est.fits_gpu,
        "gpu_hours_per_experiment": round(est.gpu_hours_per_experiment.expected, 2),
        "per_experiment_usd": round(est.per_experiment_usd.expected, 2),
        "per_experiment_usd_range": money(est.per_experiment_usd),
        "experiments": experiments,
        "tenant_runs": est.request.tenant_runs,
        "runs": est.runs,
        "total_usd": round(est.total_usd.expected, 2),
        "total_usd_range": money(est.total_usd),
        "tokens_per_second": round(est.run.tokens_per_second),
    }


def _plan(plan: Plan) -> dict[str, Any]:
    m = plan.method
    est = m.estimate if m is not None else None
    return {
        "approach": plan.approach.value,
        "fine_tuning_approach": plan.fine_tuning.value if plan.fine_tuning else None,
        "base_model": plan.model.id if plan.model is not None else None,
        "base_model_params_b": plan.model.params_b if plan.model is not None else None,
        "base_model_proposed": plan.model_proposed if plan.model is not None else None,
        "gpu": est.request.gpu.id if est is not None else None,
        "gpu_count": est.gpu_count if est is not None else None,
        "adapter_strategy": plan.adapter_strategy,
        "experiments": m.experiments if m is not None else None,
        "per_experiment_usd": round(est.per_experiment_usd.expected, 2) if est else None,
        "timeline_weeks": list(plan.timeline.weeks) if plan.timeline is not None else None,
        "timeline_basis": plan.timeline.row if plan.timeline is not None else None,
        "test_set_examples": plan.test_set_examples,
        "evaluation": plan.evaluation,
        "architecture_review_questions": list(plan.review_questions),
    }


def _cost(ev: Evaluation, plan: Plan, block: CostBlock) -> dict[str, Any]:
    facts = ev.facts
    planned = plan.method
    by_method = {
        a.value: training_summary(m.estimate, m.experiments)
        for a in FINE_TUNING
        if (m := facts.for_approach(a)) is not None
    }
    return {
        "training": by_method[plan.fine_tuning.value] if plan.fine_tuning and planned else None,
        "training_by_method": by_method,
        "build_usd": {c.name: round(c.build_usd.expected, 2) for c in block.costs},
        "monthly": {c.name: round(c.monthly_usd.expected, 2) for c in block.costs},
        "monthly_range": {c.name: money(c.monthly_usd) for c in block.costs},
        "monthly_serving": {c.name: round(c.serving_usd.expected, 2) for c in block.costs},
        "monthly_retraining_reserve": {
            c.name: round(c.reserve_usd.expected, 2) for c in block.costs
        },
        "serving": block.serving,
        "months": block.months,
        "series": [
            {
                "approach": s.name,
                "cumulative_usd": list(s.expected),
                "low_usd": list(s.low),
                "high_usd": list(s.high),
            }
            for s in block.series
        ],
        "crossovers": [
            {"approach": c.approach, "versus": c.versus, "month": c.month} for c in block.crossovers
        ],
    }


def _counterfactual(cf: Counterfactual, answers: Answers) -> dict[str, Any]:
    del answers  # the sentence is built in the core (Counterfactual.sentence)
    change = {name: (v.value if hasattr(v, "value") else v) for name, v in cf.change}
    return {
        "change": change,
        "approach": cf.approach.value,
        "sentence": cf.sentence,
        "band": list(cf.band) if cf.band is not None else None,
    }


def _defaults(context: Context) -> list[str]:
    default = Context()
    return [
        name for name in Context.model_fields if getattr(context, name) == getattr(default, name)
    ]


def recommend(request: RecommendationRequest) -> dict[str, Any]:
    answers, context, unsure = request.answers, request.context, request.unsure
    ev = evaluate(build_facts(answers, context))
    plan = make_plan(ev)
    block = cost_block(ev.facts)
    primary = ev.primary
    return {
        "approach": primary.value,
        "approach_label": primary.label,
        "summary": summary(ev),
        "complements": [c.value for c in ev.complements],
        "confidence": _confidence(ev, unsure),
        "assumptions": _assumptions(unsure),
        "ranking": [
            {
                "rank": i,
                "approach": s.approach.value,
                "label": s.approach.label,
                "eligible": s.eligible,
                "primary_eligible": s.primary_eligible,
                "score": s.score,
                "why": _why(ev, s),
            }
            for i, s in enumerate(ev.standings, 1)
        ],
        "rules_fired": [
            {
                "id": f.rule.id,
                "effect": f.rule.effect,
                "reason": f.reason(),
                "source": f.rule.source,
            }
            for f in ev.fired
        ],
        "warnings": list(ev.warnings),
        "counterfactuals": [_counterfactual(cf, answers) for cf in find_counterfactuals(ev)],
        "plan": _plan(plan),
        "cost": _cost(ev, plan, block),
        "answers": answers.model_dump(mode="json"),
        "context": context.model_dump(mode="json"),
        "context_defaults": _defaults(context),
        "unsure": list(unsure),
        "rules_version": load_rules().version,
        "cost_model_version": COST_MODEL_VERSION,
        "prices_as_of": prices_as_of(),
        "input_hash": input_hash(answers, context, unsure),
    }


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


__all__ = ["Approach", "input_hash", "recommend"]
