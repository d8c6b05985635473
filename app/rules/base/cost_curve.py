"""A method's programme cost as a function of the examples it trains on, and the most the
budget pays for.

The budget rule (policy 6) compares a method's programme with the budget, and that cost never
falls as the training set grows: more tokens per run, more experiments once the data is past
the thin-data line, a larger locked test set to score (and full fine-tuning's programme adds
LoRA's, which grows the same way). So for each method there is one largest training set the
budget pays for. The facts use it to plan a curated subset when the budget cannot train on
every example (002: "Quantity matters less than quality — 500 excellent examples consistently
outperforms 2,000 mediocre ones"), so more data never makes fine-tuning unaffordable; the
counterfactual search uses it to find where the plan changes. It is found on the cost model's
own lines (pricing.py) by interpolation checked by bisection, and cached on what it depends on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from app.cost_model.cache_sizes import PER_REQUEST
from app.cost_model.catalogue import ModelSpec
from app.cost_model.methods import Method
from app.questions.models import answer_bounds
from app.rules.base.pricing import COMPARISON, programme_usd
from app.rules.base.settings import plan_settings
from app.rules.base.thresholds import Thresholds


def fits_budget(cost_usd: float, budget_usd: float) -> bool:
    """Whether a cost is within the budget at the cents a reader sees (policy 6): a programme
    shown as $57.44 fits a budget of $57.44, whatever its fractions of a cent."""
    return round(cost_usd, 2) <= round(budget_usd, 2)


def planned_experiments(
    method: Method, examples: int, *, hard_task: bool, params_b: float, thresholds: Thresholds
) -> int:
    """Fewer where there is little to tune or each run is expensive (full fine-tuning, or a
    model of the 70B class: 001's "70B model, 50K examples, hard task" row budgets
    $2,000 to $8,000, the standard count of runs), more for hard tasks on smaller models."""
    exp = plan_settings().experiments
    if method is Method.full:
        n = exp["full_fine_tuning"]
    elif examples < thresholds.comfortable_examples:
        n = exp["thin_data"]
    elif hard_task and params_b < exp["expensive_model_min_params_b"]:
        n = exp["hard_task"]
    else:
        n = exp["standard"]
    return max(exp["min"], min(exp["max"], n))


@dataclass(frozen=True, slots=True)
class Shape:
    """Everything a method's programme cost depends on besides the examples trained on."""

    method: Method
    model: ModelSpec
    hard_task: bool
    tokens_per_example: int
    tenants: int
    gpu: str | None
    thresholds: Thresholds

    def experiments(self, method: Method, examples: int) -> int:
        return planned_experiments(
            method,
            examples,
            hard_task=self.hard_task,
            params_b=self.model.params_b,
            thresholds=self.thresholds,
        )

    def comparison_experiments(self, examples: int) -> int:
        """The experiments of the comparison that comes first (full fine-tuning's LoRA), else 0."""
        first = COMPARISON.get(self.method)
        return 0 if first is None else self.experiments(first, examples)

    def cost(self, examples: int) -> float:
        """The programme on `examples` (test set included), as the facts price it."""
        return _programme_cost(self, examples)


@lru_cache(maxsize=PER_REQUEST)
def _programme_cost(shape: Shape, examples: int) -> float:
    """`Shape.cost`, cached: the counterfactual search's breaks, the search for the most the
    budget pays for and the full-data figure a reader sees ask for the same points."""
    return programme_usd(
        shape.method,
        shape.model,
        examples,
        shape.experiments(shape.method, examples),
        shape.comparison_experiments(examples),
        shape.tokens_per_example,
        shape.tenants,
        shape.gpu,
    )


MOST_EXAMPLES = int(answer_bounds("labelled_examples")[1])

CURATES = frozenset({Method.lora, Method.qlora})
"""The methods planned on a curated subset when the budget cannot pay for every example. Not
full fine-tuning: 001 accepts it only "if cost isn't the binding constraint"."""


def fewest_examples(method: Method, examples: int, thresholds: Thresholds) -> int:
    """The smallest training set the method's plan may use: the fewest examples the rules
    fine-tune on (`min_examples`) for a method that curates, else every example."""
    return min(examples, thresholds.min_examples) if method in CURATES else examples


def planned_examples(shape: Shape, examples: int, budget: float, cost: float) -> int:
    """All the examples when the budget pays for training on them (`cost`, the programme on
    every example), else the most it pays for down to `fewest_examples`: a curated subset,
    the best examples first (002: "Quantity matters less than quality — 500 excellent
    examples consistently outperforms 2,000 mediocre ones"; 004: "data curation is where 80
    percent of the quality comes from"). More data or more budget never shrinks the set the
    budget pays for, so neither can make LoRA or QLoRA unaffordable (policy 6)."""
    floor = fewest_examples(shape.method, examples, shape.thresholds)
    if examples <= floor or fits_budget(cost, budget):
        return examples
    # The cost only grows with the examples, so the most that fit below `examples` is the most
    # that fit at all (fewer, since `examples` does not): one search per shape and budget.
    most = most_within(shape, round(budget, 2), floor, MOST_EXAMPLES)
    return examples if most is None else min(most, examples - 1)


@lru_cache(maxsize=PER_REQUEST)
def most_within(shape: Shape, budget: float, lowest: int, highest: int) -> int | None:
    """The largest example count in [lowest, highest] whose programme fits the budget, or None
    when not even the lowest does. Cached: a new dataset size under the same budget and
    context costs a lookup."""
    high_usd = shape.cost(highest)
    if fits_budget(high_usd, budget):
        return highest
    low_usd = shape.cost(lowest)
    if not fits_budget(low_usd, budget):
        return None
    return _last_within(shape.cost, budget, (lowest, low_usd), (highest, high_usd))


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
