"""A fine-tuning method's facts: its plan and cost on the chosen base model, and the plans of
every method for one shape, dataset size and budget, each cached on what it depends on.

Split from facts.py (which derives everything the rules look at) so each stays a size a
reader takes in: this module holds what the counterfactual search asks for again and again
(dozens of neighbouring answers per recommendation), so it pays only for what a change moves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from app.cost_model.cache_sizes import PER_REQUEST
from app.cost_model.catalogue import GpuSpec, ModelSpec
from app.cost_model.methods import Method
from app.cost_model.ranges import Range
from app.cost_model.training import (
    CostLine,
    TrainingEstimate,
    TrainingRequest,
    estimate_training,
)
from app.rules.base.cost_curve import Shape, planned_examples
from app.rules.base.pricing import COMPARISON, examples_per_run, price, tenant_work
from app.rules.base.thresholds import Thresholds


@dataclass(frozen=True)
class MethodFacts:
    """One fine-tuning method's plan and cost on the chosen base model.

    The figures the rules compare are plain numbers; the full estimates (memory breakdown,
    time components, ranges) are built on first use from the same requests.
    """

    method: Method
    examples: int
    """The examples the programme trains on, its locked test set included: all of them, or the
    curated subset the budget pays for (`Facts.curated`)."""
    experiments: int
    request: TrainingRequest
    """The run as planned: on the context's GPU, or on the cheapest that holds it."""
    programme_usd: float
    per_run_usd: float
    fits_gpu: bool
    cheapest_request: TrainingRequest
    """The same run on the cheapest catalogue GPU that holds it, to spot oversized hardware."""
    cheapest_programme_usd: float
    cheapest_fits_gpu: bool
    comparison: MethodFacts | None = None
    """The LoRA programme that comes first (full fine-tuning only): its cost is part of
    `programme_usd` and `cheapest_programme_usd` (LoRA on its own cheapest GPU)."""

    @property
    def gpu(self) -> GpuSpec:
        return self.request.gpu

    @property
    def cheapest_gpu(self) -> GpuSpec:
        return self.cheapest_request.gpu

    @cached_property
    def estimate(self) -> TrainingEstimate:
        return estimate_training(self.request)

    @cached_property
    def cheapest(self) -> TrainingEstimate:
        return estimate_training(self.cheapest_request)

    @property
    def comparison_usd(self) -> float:
        """What the LoRA comparison adds to the programme (0 for the other methods)."""
        return 0.0 if self.comparison is None else self.comparison.programme_usd

    @cached_property
    def programme_range(self) -> Range:
        """The whole programme as a range: this method's runs (the estimate), plus the LoRA
        comparison for full fine-tuning; its expected value is `programme_usd`."""
        own = self.estimate.total_usd
        if self.comparison is None:
            return own
        return self.comparison.programme_range + own


@lru_cache(maxsize=PER_REQUEST)
def method_facts(  # the cache key: everything a method's facts depend on
    method: Method,
    model: ModelSpec,
    examples: int,
    experiments: int,
    tokens_per_example: int,
    tenants: int,
    gpu_id: str | None,
    comparison_experiments: int = 0,
) -> MethodFacts:
    """A method's plan and cost; for full fine-tuning, with the LoRA comparison of
    `comparison_experiments` experiments (LoRA's own plan) costed first."""
    p = price(method, model, examples, experiments, tokens_per_example, tenants, gpu_id)
    first = COMPARISON.get(method)
    comparison = (
        None
        if first is None
        else method_facts(
            first, model, examples, comparison_experiments, tokens_per_example, tenants, gpu_id
        )
    )
    before = 0.0 if comparison is None else comparison.programme_usd
    before_cheapest = 0.0 if comparison is None else comparison.cheapest_programme_usd

    tenant_runs, tenant_evaluations = tenant_work(tenants)

    def planned(line: CostLine) -> TrainingRequest:
        return replace(
            line.request,
            examples=examples_per_run(examples, tenants),
            tokens_per_example=tokens_per_example,
            experiments=experiments,
            tenant_runs=tenant_runs,
            tenant_evaluations=tenant_evaluations,
        )

    cheapest_request = planned(p.cheapest)
    same = p.chosen is p.cheapest
    return MethodFacts(
        method=method,
        examples=examples,
        experiments=experiments,
        request=cheapest_request if same else planned(p.chosen),
        programme_usd=p.programme_usd if comparison is None else before + p.programme_usd,
        per_run_usd=p.chosen_usd,
        fits_gpu=p.chosen.fits_gpu,
        cheapest_request=cheapest_request,
        cheapest_programme_usd=(
            p.cheapest_programme_usd
            if comparison is None
            else before_cheapest + p.cheapest_programme_usd
        ),
        cheapest_fits_gpu=p.cheapest.fits_gpu,
        comparison=comparison,
    )


def _method_facts(shape: Shape, examples: int) -> MethodFacts:
    """The method's facts trained on `examples`, with the experiments planned for that many."""
    return method_facts(
        shape.method,
        shape.model,
        examples,
        shape.experiments(shape.method, examples),
        shape.tokens_per_example,
        shape.tenants,
        shape.gpu,
        shape.comparison_experiments(examples),
    )


@lru_cache(maxsize=PER_REQUEST)
def methods_for(  # the cache key: everything the methods' plans depend on
    model: ModelSpec,
    hard: bool,
    tokens_per_example: int,
    tenants: int,
    gpu: str | None,
    thresholds: Thresholds,
    examples: int,
    budget: float,
) -> tuple[MethodFacts, ...]:
    """Every method planned for one shape, dataset size and budget, cached: the
    counterfactual search probes the same sizes and budgets (the catalogue's thresholds,
    the costs where a method stops fitting) for every answer that shares the rest."""
    return tuple(
        _planned(
            Shape(m, model, hard, tokens_per_example, tenants, gpu, thresholds), examples, budget
        )
        for m in Method
    )


def _planned(shape: Shape, n: int, budget: float) -> MethodFacts:
    """The method's facts on every example, or on the curated subset the budget pays for."""
    every = _method_facts(shape, n)
    planned = planned_examples(shape, n, budget, every.programme_usd)
    return every if planned == n else _method_facts(shape, planned)
