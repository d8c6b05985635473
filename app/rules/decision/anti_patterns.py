"""The anti-patterns of fine-tuning proposals (001) and the budget's floor, as conditions.

Warnings for a reviewer more than votes for an approach: each fires on the facts the rules
see, and reads the thresholds from the catalogue like every other condition.
"""

from __future__ import annotations

from app.cost_model.methods import Method
from app.questions.models import QualityEvidence
from app.rules.base.approaches import Approach
from app.rules.base.cost_curve import fewest_examples, fits_budget
from app.rules.base.facts import METHODS, Facts
from app.rules.base.pricing import test_set_size
from app.rules.base.settings import plan_settings
from app.rules.decision.registry import Fired, rule
from app.vocabulary.numbers import usd

UNMEASURED_CASES_FOR_FULL = {
    QualityEvidence.research_grade: "research-grade quality is the goal",
}
"""The cases for full fine-tuning that carry no benchmark number (a measured gap does). A LoRA
plateau is not one: the team has run LoRA 30+ times, so "start with LoRA" would repeat what
already failed; plateau-diagnose-before-full says what to do instead."""


@rule("anti-pattern-full-without-lora-comparison")
def _full_without_comparison(f: Facts) -> Fired | None:
    """Full fine-tuning is on the table only when the context argues for it; the rule's
    applies_to then shows the warning only when LoRA or QLoRA is recommended instead."""
    case = UNMEASURED_CASES_FOR_FULL.get(f.context.quality_evidence)
    return None if case is None else Fired({"evidence": case})


@rule("anti-pattern-thin-test-set", "labelled_examples")
def _thin_test_set(f: Facts) -> Fired | None:
    n, t = f.answers.labelled_examples, f.thresholds
    if not t.min_examples <= n < t.comfortable_examples + plan_settings().test_set_max:
        return None
    test = test_set_size(n)
    return Fired({"test_set": f"{test:,}", "train_set": f"{n - test:,}"})


@rule("anti-pattern-unbounded-experiments", "budget_usd", *METHODS)
def _unbounded(f: Facts) -> Fired | None:
    lora = f.method(Method.lora)
    per_run = lora.per_run_usd
    if per_run <= 0:
        return None
    affordable = int(f.answers.budget_usd // per_run)
    if affordable <= f.thresholds.unbounded_runs:
        return None
    experiments = plan_settings().experiments
    return Fired(
        {
            "affordable": f"{affordable:,}",
            "per_run": usd(per_run),
            "fewest": str(experiments["min"]),
            "most": str(experiments["max"]),
        }
    )


@rule("anti-pattern-oversized-hardware", *METHODS)
def _oversized(f: Facts) -> Fired | None:
    if f.context.gpu is None:
        return None
    for approach in (Approach.lora, Approach.qlora):
        m = f.for_approach(approach)
        assert m is not None
        if m.cheapest_gpu.id == m.gpu.id or not m.cheapest_fits_gpu:
            continue
        factor = f.thresholds.oversized_hardware_factor
        if m.cheapest_programme_usd * factor <= m.programme_usd:
            return Fired(
                {
                    "gpu": m.gpu.name,
                    "cheaper": m.cheapest_gpu.name,
                    "method": approach.label,
                    "model": f.model.name,
                    "cheaper_cost": usd(m.cheapest_programme_usd),
                    "cost": usd(m.programme_usd),
                }
            )
    return None


@rule("budget-curates-examples", "labelled_examples", "budget_usd", *METHODS)
def _curates(f: Facts) -> Fired | None:
    """The budget pays for training LoRA or QLoRA on part of the data only (facts.CURATES)."""
    curated = [
        m
        for m in f.methods
        if f.curated(m.method) and fits_budget(m.programme_usd, f.answers.budget_usd)
    ]
    if not curated:
        return None
    return Fired(
        later=lambda: {
            "budget": usd(f.answers.budget_usd),
            "examples": f"{f.answers.labelled_examples:,}",
            "curated": " and ".join(
                f"{Approach(m.method.approach).label} on {m.examples:,} of them" for m in curated
            ),
        }
    )


@rule("no-method-within-budget", "budget_usd", *METHODS)
def _no_method(f: Facts) -> Fired | None:
    """Not even each method's smallest plan fits (a curated subset of `min_examples` for LoRA
    and QLoRA): the cheapest of those is what the budget must reach."""
    n = f.answers.labelled_examples
    smallest = [f.shape(m).cost(fewest_examples(m, n, f.thresholds)) for m in Method]
    cheapest = min(smallest)
    if fits_budget(cheapest, f.answers.budget_usd):
        return None
    return Fired({"budget": usd(f.answers.budget_usd), "cheapest": usd(cheapest)})
