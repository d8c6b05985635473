"""The recommendation's cost block: training, monthly serving, series and crossovers.

Built from the same facts the rules saw, so the programme cost that decided the budget rule is
the one the reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.cost_model.architecture import resolve_model
from app.cost_model.catalogue import ModelSpec
from app.cost_model.constants import Band
from app.cost_model.prices import live_prices, price_data
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
    retrieved_tokens,
)
from app.questions import Context
from app.rules.approaches import FINE_TUNING, Approach
from app.rules.facts import Facts
from app.rules.pricing import test_set_size
from app.rules.settings import plan_settings

SERIES_NAMES = {
    Approach.dont_fine_tune: "api",
    Approach.rag: "rag",
    Approach.lora: "lora",
    Approach.qlora: "qlora",
    Approach.full_fine_tuning: "full_fine_tuning",
}


@dataclass(frozen=True, slots=True)
class CostBlock:
    costs: tuple[ApproachCost, ...]
    serving: dict[str, ServingCost]
    """How each line is served (API, hosted or self-hosted, with the plan), by line name."""
    series: tuple[Series, ...]
    crossovers: tuple[Crossover, ...]
    months: int


def _traffic(ctx: Context, extra_input: int = 0) -> Traffic:
    return Traffic(
        ctx.monthly_requests,
        ctx.input_tokens_per_request + extra_input,
        ctx.output_tokens_per_request,
    )


def _serving(facts: Facts, approach: Approach) -> ServingCost:
    serving_on = _serving_on.__wrapped__ if live_prices() else _serving_on  # prices may move
    return serving_on(facts.model, facts.context, facts.answers.data_freshness.value, approach)


@lru_cache(maxsize=2048)
def _serving_on(model: ModelSpec, ctx: Context, freshness: str, approach: Approach) -> ServingCost:
    """A line's serving cost: it depends on the model, the traffic and how often the data
    changes, never on the answers that move most (examples, budget), so it is cached."""
    on_prem = ctx.on_prem_required
    if approach in FINE_TUNING:
        full = approach is Approach.full_fine_tuning
        return fine_tuned_monthly(
            model,
            _traffic(ctx),
            on_prem=on_prem,
            adapters=not full,
            copies=ctx.tenants if full else 1,
            tenants=ctx.tenants,
        )
    if not on_prem:
        if approach is Approach.rag:
            monthly = rag_monthly(
                ctx.reference_api_model, _traffic(ctx), REFRESHES_PER_MONTH[freshness]
            )
            return ServingCost("api", monthly, f"{ctx.reference_api_model} with retrieved context")
        return ServingCost(
            "api",
            api_monthly(ctx.reference_api_model, _traffic(ctx)),
            f"{ctx.reference_api_model} through its API",
        )
    # On-prem: no external API; the open base model is self-hosted, with longer prompts for RAG.
    if ctx.base_model or ctx.model_size_b:
        model = resolve_model(ctx.base_model, ctx.model_size_b)
    extra = retrieved_tokens(Band.expected) if approach is Approach.rag else 0
    own = fine_tuned_monthly(model, _traffic(ctx, extra), on_prem=True, adapters=False)
    if approach is Approach.rag:
        store = float(price_data()["rag"]["vector_store_usd_month"])  # type: ignore[index]
        own = ServingCost(
            own.approach,
            own.monthly_usd + Range.exact(store),
            own.how + " plus a vector store",
            own.self_host,
        )
    return own


def _build(facts: Facts, approach: Approach) -> Range:
    method = facts.for_approach(approach)
    if method is not None:
        return method.programme_range  # full fine-tuning's includes the LoRA comparison
    if approach is Approach.rag:
        ctx = facts.context
        experiments = plan_settings().experiments["standard"]
        test_set = test_set_size(facts.answers.labelled_examples)
        own_model = facts.model if ctx.on_prem_required else None
        return rag_build(ctx.reference_api_model, _traffic(ctx), experiments, test_set, own_model)
    return Range.exact(0.0)


def cost_block(facts: Facts) -> CostBlock:
    freshness = facts.answers.data_freshness.value
    costs = []
    serving = {}
    for approach, name in SERIES_NAMES.items():
        serve = _serving(facts, approach)
        build = _build(facts, approach)
        reserve = Range.exact(0.0)
        method = facts.for_approach(approach)
        if method is not None:
            runs = facts.context.tenants
            reserve = retraining_reserve_monthly(
                build, method.estimate.per_experiment_usd.scale(runs), freshness
            )
        costs.append(ApproachCost(name, build, serve.monthly_usd, reserve))
        serving[name] = serve
    months = facts.context.horizon_months
    series = tuple(cumulative(c, months) for c in costs)
    return CostBlock(tuple(costs), serving, series, tuple(crossovers(tuple(costs), series)), months)
