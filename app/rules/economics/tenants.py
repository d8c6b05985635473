"""Each tenant after the first, costed and timed as the small project it is.

The bounded search runs on the first tenant's share of the examples; every further tenant then
gets its own locked test set, a few bounded runs on its own examples and its own evaluation
against the base model (plan.toml `[tenants]`). Those runs and evaluations are in the
programme the budget rule compares (pricing.py); here they are said as the reader reads them,
with the weeks they add, and set against the guide's own row for ten or more tenants: where
the physics of this plan and the guide's figure part, the reader is told which is kept and why
(the seeds' README: follow the more specific, physically checkable figure and say so).
"""

from __future__ import annotations

from app.rules.base.facts import Facts, MethodFacts
from app.rules.base.settings import TenantSettings, plan_settings
from app.rules.result import UsdRange
from app.rules.result.tenants import GuideFigure, TenantWork
from app.vocabulary import numbers, words

METHOD_APPROACH = {"lora": "lora", "qlora": "qlora", "full": "full_fine_tuning"}
"""The timeline table's approach for each training method."""


def _span(low: float, high: float) -> str:
    return numbers.count(low) if low == high else f"{numbers.count(low)} to {numbers.count(high)}"


def _cost_sentence(
    t: TenantSettings, m: MethodFacts, work: TenantWork, model: str, within: bool
) -> str:
    low, high = t.guide_usd
    guide = (
        f"The guide puts a project of {t.guide_min_tenants} or more tenants at "
        f"{numbers.usd_range(low, high)} of compute in all, for a 7B to 13B model"
    )
    mine = numbers.usd(m.programme_usd)
    if within:
        return f"{guide}; this plan's {mine} is within it."
    if m.programme_usd < low:
        return (
            f"{guide}; this plan's {mine} is below it because it prices the GPU time of these "
            f"runs on your data (about {numbers.plural(work.examples_each, 'example')} a "
            f"tenant on {model}), where the guide's range is a typical budget rather than a "
            "calculation on your data: the plan keeps its own figure."
        )
    return (
        f"{guide}; this plan's {mine} is above it because it prices "
        f"{numbers.plural(m.estimate.runs, 'run')} and "
        f"{numbers.plural(work.further * work.evaluations_each, 'evaluation')} of {model} "
        "on your data: the plan keeps its own figure."
    )


def _weeks_sentence(t: TenantSettings, weeks: tuple[int, int], work: TenantWork) -> str:
    low, high = t.guide_weeks
    guide = f"The guide gives {low} to {high} weeks for {t.guide_min_tenants} or more tenants"
    mine = f"{_span(*weeks)} weeks"
    if low <= weeks[0] and weeks[1] <= high:
        return f"{guide}; this plan's {mine} is within it."
    days = f"{numbers.count(work.days_each[0])} to {numbers.count(work.days_each[1])}"
    return (
        f"{guide}; this plan's {mine} counts each tenant's own test set, runs and evaluation "
        f"one after another ({days} working days a tenant), so it grows with the tenants: "
        "people working on several tenants at once shorten it."
    )


def tenant_work(facts: Facts, m: MethodFacts) -> TenantWork | None:
    """The further tenants' share of `m`'s programme, its weeks and the guide's comparison;
    None for a single tenant."""
    tenants = facts.context.tenants
    if tenants <= 1:
        return None
    settings = plan_settings()
    t = settings.tenants
    est = m.estimate
    req = est.request
    each = est.per_experiment_usd.scale(t.runs_each)
    if t.evaluations_each:
        each = each + est.per_evaluation_usd.scale(t.evaluations_each)
    further = tenants - 1
    row = settings.project_timeline(
        METHOD_APPROACH[req.method.value],
        facts.answers.labelled_examples,
        tenants,
        facts.model.params_b,
    )
    work = TenantWork(
        tenants=tenants,
        further=further,
        examples_each=req.examples,
        test_set_examples_each=req.eval_examples,
        runs_each=t.runs_each,
        evaluations_each=t.evaluations_each,
        per_evaluation_usd=round(est.per_evaluation_usd.expected, 2),
        per_tenant_usd=round(each.expected, 2),
        per_tenant_usd_range=UsdRange.of(each),
        total_usd=round(each.expected * further, 2),
        weeks=t.weeks(tenants),
        days_each=t.days_each,
    )
    if tenants < t.guide_min_tenants or row is None:
        return work
    model = words.model_name(facts.model.id)
    usd_within = t.guide_usd[0] <= round(m.programme_usd, 2) <= t.guide_usd[1]
    weeks_within = t.guide_weeks[0] <= row.weeks[0] and row.weeks[1] <= t.guide_weeks[1]
    guide = GuideFigure(
        row=t.guide_row,
        usd=t.guide_usd,
        weeks=t.guide_weeks,
        source=t.sources["guide"],
        usd_within=usd_within,
        weeks_within=weeks_within,
        cost_sentence=_cost_sentence(t, m, work, model, usd_within),
        weeks_sentence=_weeks_sentence(t, row.weeks, work),
    )
    return work.model_copy(update={"guide": guide})
