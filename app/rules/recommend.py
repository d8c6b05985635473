"""The recommendation as one typed value: the engine, the plan, the costs, the versions.

`recommend()` returns a frozen `Recommendation` (app/rules/result/__init__.py): what POST
/api/v1/recommendations and `python -m app recommend` serialise, and what a saved assessment
and its report are made from.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from app.canonical import sha256_hex
from app.cost_model import COST_MODEL_VERSION
from app.cost_model.prices import prices_as_of
from app.questions import Answers, Context, RecommendationRequest
from app.questions.models import UNSURE_DEFAULTS, UnsureQuestion
from app.questions.proposal import Proposal
from app.questions.text import catalogue_text
from app.rules.base.approaches import Approach
from app.rules.base.catalogue import load_rules
from app.rules.base.facts import build_facts
from app.rules.decision.confidence import confidence
from app.rules.decision.counterfactuals import Counterfactual as CounterfactualValue
from app.rules.decision.counterfactuals import find_counterfactuals
from app.rules.decision.engine import Evaluation, Standing, evaluate
from app.rules.decision.engine import FiredRule as EngineFiredRule
from app.rules.decision.plan import make_plan
from app.rules.economics.advice import heed_options
from app.rules.economics.cost_block import cost_block
from app.rules.economics.energy_summary import energy_summary
from app.rules.economics.summaries import cost_summary, plan_summary
from app.rules.result import (
    Assumption,
    Counterfactual,
    FiredRule,
    RankedApproach,
    Recommendation,
)
from app.vocabulary import words
from app.vocabulary.numbers import plural


def input_hash(
    answers: Answers,
    context: Context,
    unsure: tuple[str, ...] = (),
    proposal: Proposal | None = None,
) -> str:
    """SHA-256 of the canonical answers and context (defaults applied), and of the questions
    answered "I'm not sure" and the team's proposal when there are any (they change the
    result); a request without them hashes as it always did."""
    document: dict[str, Any] = {
        "answers": answers.model_dump(mode="json"),
        "context": context.model_dump(mode="json"),
    }
    if unsure:
        document["unsure"] = sorted(unsure)
    if proposal is not None:
        document["proposal"] = proposal.model_dump(mode="json")
    return sha256_hex(document)


def _why(ev: Evaluation, s: Standing) -> str:
    primary = ev.standings[0]
    if s is primary:
        if ev.decided_by:
            return "Recommended: " + ev.decided_by[-1].reason()
        return "Recommended: the highest score among the eligible approaches."
    if s.excluded_by:
        return "Not eligible: " + " ".join(f.reason() for f in s.excluded_by)
    if s.complement_only_by:
        return "Only as a complement: " + " ".join(f.reason() for f in s.complement_only_by)
    if ev.decided_by and s.score >= primary.score:
        return "Not the primary approach: " + ev.decided_by[-1].reason()
    text = f"{plural(primary.score - s.score, 'point')} behind {primary.approach.label}"
    deciding = _separating_rule(ev, primary.approach, s.approach)
    return text + (f": {deciding.reason()}" if deciding is not None else ".")


def _separating_rule(ev: Evaluation, winner: Approach, loser: Approach) -> EngineFiredRule | None:
    """The fired rule that most favours the winner over the loser (the first in id order among
    equals), or None when no rule favours it."""
    if not ev.fired:
        return None
    gap, _, rule = min((f.points(loser) - f.points(winner), f.rule.id, f) for f in ev.fired)
    return rule if gap < 0 else None


def _assumptions(unsure: tuple[str, ...]) -> tuple[Assumption, ...]:
    return tuple(
        Assumption(
            question=cast("UnsureQuestion", qid),
            value=UNSURE_DEFAULTS[qid],
            note=catalogue_text().question(qid).unsure or "",
        )
        for qid in unsure
    )


def _counterfactual(cf: CounterfactualValue) -> Counterfactual:
    change = {name: (v.value if hasattr(v, "value") else v) for name, v in cf.change}
    return Counterfactual(change=change, approach=cf.approach, sentence=cf.sentence, band=cf.band)


@cache
def _default_context() -> dict[str, Any]:
    return dict(Context())


def _defaults(context: Context) -> tuple[str, ...]:
    """The context fields left at their documented default."""
    default = _default_context()
    return tuple(name for name, value in context if value == default[name])


def recommend(request: RecommendationRequest) -> Recommendation:
    answers, context, unsure = request.answers, request.context, request.unsure
    ev = evaluate(build_facts(answers, context))
    plan = make_plan(ev)
    block = cost_block(ev.facts, plan.fine_tuning, (ev.primary, *ev.complements))
    costs = cost_summary(ev, plan, block)
    ev = heed_options(ev, costs.options)  # no reason or warning advises a ruled-out option
    found = find_counterfactuals(ev)
    primary = ev.primary
    review = None
    if request.proposal is not None:
        from app.rules.proposal.review import review_proposal  # noqa: PLC0415  # with a proposal

        review = review_proposal(
            request.proposal, ev.facts, plan, block, _deciding_reason(ev) or summary(ev)
        )
    return Recommendation(
        approach=primary,
        approach_label=words.approach(primary.value),
        summary=summary(ev),
        complements=ev.complements,
        confidence=confidence(ev, unsure, costs, found),
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
        counterfactuals=tuple(_counterfactual(cf) for cf in found),
        plan=plan_summary(plan),
        cost=costs,
        answers=answers,
        context=context,
        context_defaults=_defaults(context),
        unsure=unsure,
        rules_version=load_rules().version,
        cost_model_version=COST_MODEL_VERSION,
        prices_as_of=prices_as_of(),
        input_hash=input_hash(answers, context, unsure, request.proposal),
        energy=energy_summary(ev, plan, block),
        proposal_review=review,
    )


def _deciding_reason(ev: Evaluation) -> str:
    """The one reason a reader needs first: why the approach with the most points in its favour
    was ruled out, or else the rule that most separates the winner from the runner-up."""
    if ev.decided_by:
        return ev.decided_by[-1].reason()
    primary = ev.standings[0]
    strongest = max(ev.standings, key=lambda s: s.score)
    blockers = strongest.excluded_by or strongest.complement_only_by
    if strongest.score > primary.score and blockers:
        return blockers[0].reason()
    second = ev.runner_up
    if second is not None and ev.margin == 0:  # no rule separates them: the order did
        return (
            f"It ties with {second.approach.label} on points, and a tie goes to the simpler, "
            "cheaper approach: try prompting and retrieval before training."
        )
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
