"""The recommendation's cost block: training, monthly serving, series and crossovers.

Built from the same facts the rules saw, so the programme cost that decided the budget rule is
the one the reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.cost_model.catalogue import ModelSpec
from app.cost_model.options import prompted_monthly, rag_on_model_monthly
from app.cost_model.prices import live_prices
from app.cost_model.ranges import Range
from app.cost_model.series import (
    REFRESHES_PER_MONTH,
    ApproachCost,
    Crossover,
    Series,
    crossovers,
    cumulative,
    retraining_reserve_monthly,
)
from app.cost_model.serving import (
    ServingCost,
    Traffic,
    api_monthly,
    fine_tuned_monthly,
    rag_build,
    rag_monthly,
)
from app.questions import Context
from app.rules.base.approaches import FINE_TUNING, Approach
from app.rules.base.facts import Facts
from app.rules.base.pricing import test_set_size
from app.rules.base.settings import plan_settings
from app.rules.economics.combination import Combination, combine
from app.rules.economics.managed import ManagedOption, managed_option

SERIES_NAMES = {
    Approach.dont_fine_tune: "api",
    Approach.rag: "rag",
    Approach.lora: "lora",
    Approach.qlora: "qlora",
    Approach.full_fine_tuning: "full_fine_tuning",
}
"""Each approach's own line. Not fine-tuning has two: the status quo (`api`) and `base`."""

LINE_APPROACH = {line: approach for approach, line in SERIES_NAMES.items()} | {
    "base": Approach.dont_fine_tune,
    "managed": Approach.lora,
}
"""The approach each cost line stands for: the options a PM actually chooses between. A managed
fine-tuning service (`managed`, app/rules/economics/managed.py) trains a LoRA-style adapter for
you."""

LINES = ("api", "base", "rag", "lora", "qlora", "full_fine_tuning")


@dataclass(frozen=True, slots=True)
class CostBlock:
    costs: tuple[ApproachCost, ...]
    serving: dict[str, ServingCost]
    """How each line is served (API, hosted or self-hosted, with the plan), by line name."""
    series: tuple[Series, ...]
    crossovers: tuple[Crossover, ...]
    """Every pair's crossover; the result keeps those among eligible options and the status
    quo (summaries.py)."""
    months: int
    status_quo: str
    """The line the others are measured against: the reference API, or on-prem (where no
    external API may be used) the open model prompted on your own hardware."""
    rag_on_model: bool
    """Retrieval runs on the plan's open model (on-prem, or the plan self-hosts), not on the
    reference API: compared on the same model family as its alternative."""
    managed: ManagedOption | None = None
    """The managed fine-tuning service (line `managed`), for a team that should not run its own
    fine-tuning; None otherwise."""
    combination: Combination | None = None
    """The recommendation with its complements as one option (line `recommended`,
    combination.py); None when the recommendation has no complement."""


def _traffic(ctx: Context, extra_input: int = 0) -> Traffic:
    return Traffic(
        ctx.monthly_requests,
        ctx.input_tokens_per_request + extra_input,
        ctx.output_tokens_per_request,
    )


def _serving(facts: Facts, line: str, rag_on_model: bool = False) -> ServingCost:
    serving_on = _serving_on.__wrapped__ if live_prices() else _serving_on  # prices may move
    fresh, target = facts.answers.data_freshness.value, facts.answers.latency_p99_ms
    return serving_on(facts.model, facts.context, fresh, line, rag_on_model, target)


@lru_cache(maxsize=2048)
def _serving_on(
    model: ModelSpec,
    ctx: Context,
    freshness: str,
    line: str,
    rag_on_model: bool,
    target_ms: int | None = None,
) -> ServingCost:
    """A line's serving cost, on the model it runs on: it depends on the model, the traffic,
    how often the data changes and the p99 target (a self-hosted fleet is sized for it too),
    never on the answers that move most (examples, budget), so it is cached."""
    on_prem = ctx.on_prem_required
    approach = LINE_APPROACH[line]
    if approach in FINE_TUNING:
        full = approach is Approach.full_fine_tuning
        return fine_tuned_monthly(
            model,
            _traffic(ctx),
            on_prem=on_prem,
            adapters=not full,
            copies=ctx.tenants if full else 1,
            tenants=ctx.tenants,
            target_ms=target_ms,
        )
    refreshes = REFRESHES_PER_MONTH[freshness]
    if line == "base":
        return prompted_monthly(model, _traffic(ctx), on_prem=on_prem, target_ms=target_ms)
    if line == "rag" and rag_on_model:
        return rag_on_model_monthly(
            model, _traffic(ctx), refreshes, on_prem=on_prem, target_ms=target_ms
        )
    reference = ctx.reference_api_model
    if line == "rag":
        monthly = rag_monthly(reference, _traffic(ctx), refreshes)
        return ServingCost("api", monthly, f"{reference} with retrieved context")
    return ServingCost("api", api_monthly(reference, _traffic(ctx)), f"{reference} through its API")


def model_serving(facts: Facts, model: ModelSpec, line: str) -> ServingCost:
    """A line's serving cost on another model than the plan's (a team's proposal), priced
    exactly as the plan's own lines are."""
    serving_on = _serving_on.__wrapped__ if live_prices() else _serving_on
    fresh, target = facts.answers.data_freshness.value, facts.answers.latency_p99_ms
    return serving_on(model, facts.context, fresh, line, rag_on_model=False, target_ms=target)


def _build(facts: Facts, line: str, rag_on_model: bool) -> Range:
    approach = LINE_APPROACH[line]
    method = facts.for_approach(approach)
    if method is not None:
        return method.programme_range  # full fine-tuning's includes the LoRA comparison
    if approach is Approach.rag:
        ctx = facts.context
        experiments = plan_settings().experiments["standard"]
        test_set = test_set_size(facts.answers.labelled_examples)
        own_model = facts.model if rag_on_model else None
        return rag_build(ctx.reference_api_model, _traffic(ctx), experiments, test_set, own_model)
    return Range.exact(0.0)


def rag_runs_on_model(facts: Facts, planned: Approach | None) -> bool:
    """Retrieval is compared on the same model family as its alternative: the open model when
    it must run on-prem or when the plan's fine-tuned model is self-hosted, else the API."""
    if facts.context.on_prem_required:
        return True
    if planned is None:
        return False
    return _serving(facts, SERIES_NAMES[planned]).approach == "self_host"


def cost_block(
    facts: Facts, planned: Approach | None = None, recommended: tuple[Approach, ...] = ()
) -> CostBlock:
    """Every option's build, monthly cost, cumulative series and crossovers; `planned` is the
    plan's fine-tuning approach, which decides the model retrieval is priced on; `recommended`
    is the primary approach and its complements, costed as one line when there are several."""
    freshness = facts.answers.data_freshness.value
    rag_on_model = rag_runs_on_model(facts, planned)
    costs = []
    serving = {}
    for line in LINES:
        serve = _serving(facts, line, rag_on_model)
        build = _build(facts, line, rag_on_model)
        reserve = Range.exact(0.0)
        method = facts.for_approach(LINE_APPROACH[line])
        if method is not None:
            runs = facts.context.tenants
            reserve = retraining_reserve_monthly(
                build, method.estimate.per_experiment_usd.scale(runs), freshness
            )
        costs.append(ApproachCost(line, build, serve.monthly_usd, reserve))
        serving[line] = serve
    managed = managed_option(facts)
    if managed is not None:
        costs.append(managed.cost)
        serving[managed.cost.name] = managed.serving
    combination = combine(facts, recommended)
    if combination is not None:
        costs.append(combination.cost)
        serving[combination.cost.name] = combination.serving
    months = facts.context.horizon_months
    series = tuple(cumulative(c, months) for c in costs)
    status_quo = "base" if facts.context.on_prem_required else "api"
    return CostBlock(
        tuple(costs),
        serving,
        series,
        tuple(crossovers(tuple(costs), series)),
        months,
        status_quo,
        rag_on_model,
        managed,
        combination,
    )
