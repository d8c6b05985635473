"""Where a method's programme cost crosses the budget as the number of examples grows.

The budget rule (policy 6) excludes a method whose programme costs more than the budget, and
that cost never falls as examples grow: more tokens per run, more experiments once the data is
past the thin-data line, a larger locked test set to score. So for each method there is one
largest example count the budget pays for, and the counterfactual search needs only that
number, not a sweep of the engine. It is found on the cost model's own lines (the facts'
arithmetic), by interpolation, which lands beside the answer on a line, checked by bisection.
"""

from __future__ import annotations

from collections.abc import Callable

from app.cost_model.methods import Method
from app.questions import DomainVocabulary, OutputConsistency
from app.rules.facts import Facts, planned_experiments, price


def programme_at(facts: Facts, method: Method) -> Callable[[int], float]:
    """The method's programme cost as a function of the example count, all else as in facts."""
    a, ctx, t = facts.answers, facts.context, facts.thresholds
    hard = (
        a.domain_vocabulary is DomainVocabulary.highly_specialised
        and a.output_consistency is OutputConsistency.strict_format
    )

    def cost(examples: int) -> float:
        experiments = planned_experiments(method, examples, hard_task=hard, thresholds=t)
        return price(
            method,
            facts.model,
            examples,
            experiments,
            ctx.tokens_per_example,
            ctx.tenants,
            ctx.gpu,
        ).programme_usd

    return cost


def most_examples_within(facts: Facts, method: Method, lowest: int, highest: int) -> int | None:
    """The largest example count in [lowest, highest] whose programme fits the budget, or None
    when not even the lowest does."""
    budget = facts.answers.budget_usd
    cost = programme_at(facts, method)
    here = facts.answers.labelled_examples
    here_usd = facts.method(method).programme_usd
    if here_usd <= budget:
        a, fa = here, here_usd
        b, fb = highest, cost(highest)
        if fb <= budget:
            return highest
    else:
        b, fb = here, here_usd
        a, fa = lowest, cost(lowest)
        if fa > budget:
            return None
    return _last_within(cost, budget, (a, fa), (b, fb))


def _last_within(
    cost: Callable[[int], float],
    budget: float,
    within: tuple[int, float],
    over: tuple[int, float],
) -> int:
    """Given cost(a) <= budget < cost(b), a < b, the largest n with cost(n) <= budget.

    Each round interpolates (exact on a straight stretch, up to rounding) and tries the
    neighbour across the guess, then halves the bracket, so it ends in a few probes and never
    takes more than twice bisection's."""
    (a, fa), (b, fb) = within, over
    while b - a > 1:
        guess = a + int((budget - fa) / (fb - fa) * (b - a)) if fb > fa else a + 1
        for n in (guess, guess + 1, (a + b) // 2):
            if not a < n < b:
                continue
            fn = cost(n)
            if fn <= budget:
                a, fa = n, fn
            else:
                b, fb = n, fn
    return a
