"""How sure the recommendation is, in one level and in words.

From the margin between the first two eligible approaches (data/rules.toml, `[confidence]`),
never "high" when the recommendation's own serving misses the p99 target, and lowered one step
for each answer given as "I'm not sure" that could change the outcome: the counterfactual
search already runs the engine on other values of each answer and finds where the
recommendation flips, so an unsure answer lowers the confidence only when such a flip point
lies within a plausible distance of the assumed value.
"""

from __future__ import annotations

from typing import Literal, cast

from app.questions.models import UnsureQuestion
from app.rules.base.catalogue import load_rules
from app.rules.decision.counterfactuals import Counterfactual
from app.rules.decision.engine import Evaluation
from app.rules.result import Confidence, Costs
from app.vocabulary import words
from app.vocabulary.numbers import ms, plural

LEVELS: tuple[Literal["low", "medium", "high"], ...] = ("low", "medium", "high")


def _latency_miss(costs: Costs) -> str | None:
    """Why the recommendation's own serving misses the p99 target, in words; None when it
    meets it or its time is not estimated (a provider hosts it)."""
    line = costs.payback.line if costs.payback is not None else None
    plan = costs.serving_plans.get(line) if line is not None else None
    if plan is None or plan.meets_target is not False or plan.estimated_p99_ms is None:
        return None
    return (
        f"its answers take about {ms(plan.estimated_p99_ms.expected)} at p99, over the "
        f"{plan.latency_target_ms:,} ms target."
    )


def _could_change(question: str, value: float, counterfactuals: tuple[Counterfactual, ...]) -> bool:
    """Whether another plausible value of an answer changes the recommended approach: a flip
    point the counterfactual search found for it alone, within the plausible factor of the
    assumed value (data/rules.toml, `unsure_plausible_factor`)."""
    factor = load_rules().unsure_plausible_factor
    low, high = value / factor, value * factor
    for cf in counterfactuals:
        if len(cf.change) != 1 or cf.change[0][0] != question or cf.band is None:
            continue
        start, end = cf.band
        if start <= high and (end is None or end >= low):
            return True
    return False


def confidence(
    ev: Evaluation,
    unsure: tuple[str, ...],
    costs: Costs,
    counterfactuals: tuple[Counterfactual, ...],
) -> Confidence:
    """The margin between the first two approaches in words, never "high" when the
    recommendation's own serving misses the p99 target; each answer given as "I'm not sure"
    that could change the outcome takes the level down one step, since the result rests on an
    assumed value. One that no plausible value would change leaves it as it is."""
    catalogue = load_rules()
    margin = ev.margin
    second = ev.runner_up
    if margin is None or margin >= catalogue.high_margin:
        level = 2
    elif margin >= catalogue.medium_margin:
        level = 1
    else:
        level = 0
    first = words.approach(ev.primary.value)  # it opens the sentence: capitalised
    if ev.decided_by:  # a must of the policy decided, not the points
        level = 2
        explanation = f"{first} is required by the policy, whatever the points say."
    elif second is not None and margin == 0:
        explanation = (
            f"{first} and {second.approach.label} tie on points; the tie goes to the simpler, "
            "cheaper approach (try prompting and retrieval before training)."
        )
    elif second is not None and margin is not None:
        explanation = f"{first} leads {second.approach.label} by {plural(margin, 'point')}."
    else:
        explanation = f"{first} is the only eligible approach."
    miss = _latency_miss(costs)
    if miss is not None and level == 2:  # the margin alone would have said "high"
        explanation += " Not high: " + miss
        level = 1
    answers = ev.facts.answers
    moving = tuple(q for q in unsure if _could_change(q, getattr(answers, q), counterfactuals))
    if moving:
        level = max(0, level - len(moving))
        asked = ", ".join(f"\u201c{words.question_label(q)}\u201d" for q in moving)
        explanation += (
            f" Lowered because the answer to {asked} was \u201cI\u2019m not sure\u201d, "
            "and another likely answer would change the recommendation."
        )
    if still := tuple(q for q in unsure if q not in moving):
        asked = ", ".join(f"\u201c{words.question_label(q)}\u201d" for q in still)
        explanation += (
            f" The answer to {asked} was \u201cI\u2019m not sure\u201d, but no likely "
            "answer would change the recommendation."
        )
    return Confidence(
        level=LEVELS[level],
        margin=margin,
        runner_up=second.approach if second is not None else None,
        explanation=explanation,
        lowered_by=cast("tuple[UnsureQuestion, ...]", moving),
        misses_latency_target=miss is not None,
    )
