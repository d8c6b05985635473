"""Pricing a method's runs on the cost model's lines: the GPU choice, the run cost at one
dataset size, and a programme as the budget rule sees it.

The cost model's `cost_line` holds a shape's memory, layout and per-token rates, so pricing
another dataset size is a few multiplications; everything here is plain arithmetic on those
lines, shared by the facts (facts.py) and the counterfactual search's cost curve
(cost_curve.py), so the two agree to the last bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache

from app.cost_model.catalogue import GpuSpec, ModelSpec, load_catalogue
from app.cost_model.methods import Method
from app.cost_model.recipe import PricedRecipe, priced_recipe, request_for
from app.cost_model.training import CostLine, TrainingRequest, cost_line
from app.rules.base.settings import plan_settings

COMPARISON = {Method.full: Method.lora}
"""The method whose programme comes first, as a comparison, in another's (001: full
fine-tuning only after "a measured benchmark on the test set shows LoRA falls short")."""


def test_set_size(examples: int) -> int:
    """100 to 200 held-out examples, at most a fifth of the data (so thin data still trains).

    The plan locks this many; each run's evaluation is costed on the same number."""
    settings = plan_settings()
    return max(settings.test_set_min, min(settings.test_set_max, examples // 5))


def _request(
    method: Method, model: ModelSpec, gpu: GpuSpec, eval_examples: int, recipe: PricedRecipe
) -> TrainingRequest:
    """The run as the recipe configures it (recipe.py): what the cost model prices."""
    return request_for(method, model, gpu, recipe, eval_examples=eval_examples)


@cache
def _gpus_by_price() -> tuple[GpuSpec, ...]:
    return load_catalogue().auto_gpus_by_price


@lru_cache(maxsize=1024)
def _candidate_lines(
    method: Method, model: ModelSpec, eval_examples: int, recipe: PricedRecipe
) -> tuple[CostLine, ...]:
    """The GPUs the cheapest choice picks from: those where the method fits one card, else
    clusters (multi-GPU only on datacenter cards: consumer cards have no fast interconnect),
    less any line another beats at every dataset size (cheaper per token and per run)."""
    lines = [cost_line(_request(method, model, g, eval_examples, recipe)) for g in _gpus_by_price()]
    usable = [ln for ln in lines if ln.fits_gpu] or [ln for ln in lines if ln.gpu.datacenter]
    usable = usable or lines
    shapes = [ln.slope_and_fixed() for ln in usable]
    return tuple(
        ln
        for ln, (slope, fixed) in zip(usable, shapes, strict=True)
        if not any(s < slope * (1 - 1e-9) and f < fixed * (1 - 1e-9) for s, f in shapes)
    )


@lru_cache(maxsize=1024)
def _line_on(
    method: Method, model: ModelSpec, gpu_id: str, eval_examples: int, recipe: PricedRecipe
) -> CostLine:
    """The line on the context's GPU, cached on what it depends on (a request is a large key
    to hash for every price)."""
    gpu = load_catalogue().gpus[gpu_id]
    return cost_line(_request(method, model, gpu, eval_examples, recipe))


def _cheapest(lines: tuple[CostLine, ...], tokens: float) -> tuple[CostLine, float]:
    """The line with the lowest run cost at this size (ties to the GPU id), and that cost."""
    best = lines[0]
    best_usd = best.per_run_usd(tokens)
    for line in lines[1:]:
        usd = line.per_run_usd(tokens)
        if usd < best_usd or (usd == best_usd and line.gpu.id < best.gpu.id):
            best, best_usd = line, usd
    return best, best_usd


def examples_per_run(examples: int, tenants: int) -> int:
    """Examples are split evenly between tenants; the bounded search runs on one tenant's
    share, then each further tenant gets its own bounded runs and evaluation (`tenant_work`)."""
    return max(1, math.ceil(examples / tenants))


@lru_cache(maxsize=256)
def tenant_work(tenants: int) -> tuple[int, int]:
    """The runs and evaluations the tenants after the first add to a programme: each has its
    own locked test set, a few bounded runs on its own examples and its own evaluation
    (plan.toml `[tenants]`), not one run on settings tuned on another tenant's data."""
    t = plan_settings().tenants
    return t.runs(tenants), t.evaluations(tenants)


@dataclass(frozen=True, slots=True)
class Priced:
    """A method's run priced at one dataset size: the planned GPU's line and the cheapest."""

    chosen: CostLine
    chosen_usd: float
    cheapest: CostLine
    cheapest_usd: float
    runs: int
    """The search's experiments plus every further tenant's bounded runs."""
    evaluations: int = 0
    """The further tenants' own evaluations, each priced as a run that trains nothing."""

    @property
    def programme_usd(self) -> float:
        return _total(self.chosen, self.chosen_usd, self.runs, self.evaluations)

    @property
    def cheapest_programme_usd(self) -> float:
        return _total(self.cheapest, self.cheapest_usd, self.runs, self.evaluations)


def _total(line: CostLine, per_run_usd: float, runs: int, evaluations: int) -> float:
    """Runs and evaluations in the order `TrainingEstimate.total_expected_usd` adds them."""
    total = per_run_usd * runs
    return total + line.evaluation_usd * evaluations if evaluations else total


def price(
    method: Method,
    model: ModelSpec,
    examples: int,
    experiments: int,
    tokens_per_example: int,
    tenants: int,
    gpu_id: str | None,
) -> Priced:
    """The run on the context's GPU, or on the cheapest GPU where it fits; a few
    multiplications once the shape's lines are cached."""
    eval_examples = test_set_size(examples)
    per_run = examples_per_run(examples, tenants)
    recipe = priced_recipe(model, per_run, tokens_per_example)
    lines = _candidate_lines(method, model, eval_examples, recipe)
    tokens = lines[0].tokens(per_run, tokens_per_example)
    cheapest, cheapest_usd = _cheapest(lines, tokens)
    chosen, chosen_usd = cheapest, cheapest_usd
    if gpu_id is not None and gpu_id != cheapest.gpu.id:
        chosen = _line_on(method, model, gpu_id, eval_examples, recipe)
        chosen_usd = chosen.per_run_usd(tokens)
    runs, evaluations = tenant_work(tenants)
    return Priced(chosen, chosen_usd, cheapest, cheapest_usd, experiments + runs, evaluations)


def programme_usd(
    method: Method,
    model: ModelSpec,
    examples: int,
    experiments: int,
    comparison_experiments: int,
    tokens_per_example: int,
    tenants: int,
    gpu_id: str | None,
) -> float:
    """A method's programme cost as the budget rule sees it: the comparison first (LoRA's
    programme with `comparison_experiments`, full fine-tuning only), then its own runs. The
    same sum, in the same order, as `method_facts`, so the counterfactual search's curve
    and the engine agree to the last bit."""
    own = price(method, model, examples, experiments, tokens_per_example, tenants, gpu_id)
    first = COMPARISON.get(method)
    if first is None:
        return own.programme_usd
    args = (model, examples, comparison_experiments, tokens_per_example, tenants, gpu_id)
    return price(first, *args).programme_usd + own.programme_usd
