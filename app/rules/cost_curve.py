"""Where a method's programme cost crosses the budget as the number of examples grows.

The budget rule (policy 6) excludes a method whose programme costs more than the budget, and
that cost never falls as examples grow: more tokens per run, more experiments once the data is
past the thin-data line, a larger locked test set to score (and full fine-tuning's programme
adds LoRA's, which grows the same way). So for each method there is one
largest example count the budget pays for, and the counterfactual search needs only that
number, not a sweep of the engine. It is found on the cost model's own lines (the facts'
arithmetic) by interpolation checked by bisection, and cached on what it depends on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from app.cost_model.catalogue import ModelSpec
from app.cost_model.methods import Method
from app.rules.facts import Facts, fits_budget, hard_task, planned_experiments
from app.rules.pricing import COMPARISON, programme_usd
from app.rules.thresholds import Thresholds


def _curve(
    method: Method,
    model: ModelSpec,
    hard: bool,
    tokens_per_example: int,
    tenants: int,
    gpu: str | None,
    thresholds: Thresholds,
) -> Callable[[int], float]:
    def cost(examples: int) -> float:
        def experiments(m: Method) -> int:
            return planned_experiments(
                m, examples, hard_task=hard, params_b=model.params_b, thresholds=thresholds
            )

        first = COMPARISON.get(method)
        return programme_usd(
            method,
            model,
            examples,
            experiments(method),
            0 if first is None else experiments(first),
            tokens_per_example,
            tenants,
            gpu,
        )

    return cost


def most_examples_within(facts: Facts, method: Method, lowest: int, highest: int) -> int | None:
    """The largest example count in [lowest, highest] whose programme fits the budget, or None
    when not even the lowest does.

    It does not depend on the answer's own example count, so it is cached on what it does
    depend on: a new dataset size under the same budget and context costs a lookup."""
    ctx = facts.context
    return _most_within(
        method,
        facts.model,
        hard_task(facts.answers),
        ctx.tokens_per_example,
        ctx.tenants,
        ctx.gpu,
        facts.thresholds,
        facts.answers.budget_usd,
        lowest,
        highest,
    )


@lru_cache(maxsize=4096)
def _most_within(  # the cache key: everything the answer depends on
    method: Method,
    model: ModelSpec,
    hard: bool,
    tokens_per_example: int,
    tenants: int,
    gpu: str | None,
    thresholds: Thresholds,
    budget: float,
    lowest: int,
    highest: int,
) -> int | None:
    cost = _curve(method, model, hard, tokens_per_example, tenants, gpu, thresholds)
    high_usd = cost(highest)
    if fits_budget(high_usd, budget):
        return highest
    low_usd = cost(lowest)
    if not fits_budget(low_usd, budget):
        return None
    return _last_within(cost, budget, (lowest, low_usd), (highest, high_usd))


def _last_within(
    cost: Callable[[int], float],
    budget: float,
    within: tuple[int, float],
    over: tuple[int, float],
) -> int:
    """Given cost(a) within budget and cost(b) over it (at cents, `fits_budget`), a < b, the
    largest n whose cost is within it.

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
            if fits_budget(fn, budget):
                a, fa = n, fn
            else:
                b, fb = n, fn
    return a
