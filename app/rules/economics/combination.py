"""The recommendation with its complements, costed as the one option it is.

Retrieval with a LoRA adapter per tenant beside it, or LoRA with retrieval beside it, is one
system: one build, one bill a month, one way it is served, one answer time. Costing the
primary alone told a reader "costs $5.54 to build" beside a training programme of 31 runs.

A request to retrieval over a fine-tuned model is one call to the fine-tuned model, its prompt
longer by the retrieved context, plus the retrieval infrastructure (query embeddings, corpus
refreshes, the vector store). So the combination's running cost is the fine-tuned model's
serving at the longer prompt, plus retrieval's overhead, plus the fine-tuned model's retraining
reserve; the model is paid once, never as retrieval's API calls *and* the fine-tuned model's.
Its build is the sum of its parts' builds: the fine-tuning programme (its experiments and one
run per further tenant) and retrieval's (embedding the corpus, then a bounded search over its
settings scored on the locked test set, on the fine-tuned model). Each part keeps its share,
rounded to the cent, so the parts add up to the whole at the cents a reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.cost_model.bands import Side
from app.cost_model.catalogue import ModelSpec
from app.cost_model.choices import RAG
from app.cost_model.constants import Band, load_constants
from app.cost_model.prices import live_prices
from app.cost_model.ranges import Range, Swing
from app.cost_model.series import REFRESHES_PER_MONTH, ApproachCost, retraining_reserve_monthly
from app.cost_model.serving import (
    ServingCost,
    Traffic,
    fine_tuned_monthly,
    rag_build,
    retrieval_overhead,
    retrieved_tokens,
)
from app.questions import Context
from app.rules.base.approaches import FINE_TUNING, Approach
from app.rules.base.facts import Facts
from app.rules.base.pricing import test_set_size
from app.rules.base.settings import plan_settings

LINE = "recommended"
"""The combination's cost line; present only when the recommendation has a complement."""


def cents(r: Range) -> Range:
    """A range to the cent, so parts and their sum agree at the cents a reader sees. It keeps
    its factors' swings, so a sum of parts combines them factor by factor (the same factor in
    two parts adds before the squares), not as stacked extremes."""
    return Range(round(r.low, 2), round(r.expected, 2), round(r.high, 2), r.swings)


@dataclass(frozen=True, slots=True)
class Part:
    """One approach's share of the combination."""

    approach: Approach
    primary: bool
    build: Range
    """Its share of the build, to the cent."""
    serving: Range
    """Its share of the monthly serving, to the cent."""
    reserve: Range
    """Its share of the monthly retraining reserve, to the cent."""
    experiments: int
    tenant_runs: int


@dataclass(frozen=True, slots=True)
class Combination:
    parts: tuple[Part, ...]
    """Primary first, then the complements."""
    cost: ApproachCost
    serving: ServingCost
    """The fine-tuned model's serving at the longer prompt, plus retrieval's overhead, with the
    fine-tuned model's plan (self-hosted or hosted)."""

    @property
    def tuning(self) -> Part:
        return next(p for p in self.parts if p.approach in FINE_TUNING)


def _sum(ranges: list[Range]) -> Range:
    total = Range.exact(0.0)
    for r in ranges:
        total = total + r
    return cents(total)


def with_context(ctx: Context, band: Band = Band.expected) -> Traffic:
    """The traffic with the retrieved context added to every prompt (the plan's expected
    chunks; another setting of that choice under `band`)."""
    extra = retrieved_tokens(band)
    return Traffic(
        ctx.monthly_requests,
        ctx.input_tokens_per_request + extra,
        ctx.output_tokens_per_request,
    )


@lru_cache(maxsize=1024)
def _tuned_serving(
    model: ModelSpec, ctx: Context, full: bool, target_ms: int, band: Band = Band.expected
) -> ServingCost:
    """The fine-tuned model served as its own line serves it, at the longer prompt, on the
    cheapest fleet whose answers meet the p99 target once the retrieval hop is added."""
    hop = load_constants().get("retrieval_hop_ms", Band.expected)
    return fine_tuned_monthly(
        model,
        with_context(ctx, band),
        on_prem=ctx.on_prem_required,
        adapters=not full,
        copies=ctx.tenants if full else 1,
        tenants=ctx.tenants,
        target_ms=max(1, round(target_ms - hop)),
    )


def _retrieval_build(facts: Facts) -> Range:
    """Retrieval's build over the fine-tuned model: scored on the plan's model (at a
    provider's price where one sells it, else on the reference API)."""
    ctx = facts.context
    traffic = Traffic(
        ctx.monthly_requests, ctx.input_tokens_per_request, ctx.output_tokens_per_request
    )
    experiments = plan_settings().experiments["standard"]
    test_set = test_set_size(facts.answers.labelled_examples)
    return rag_build(ctx.reference_api_model, traffic, experiments, test_set, facts.model)


def combine(facts: Facts, approaches: tuple[Approach, ...]) -> Combination | None:
    """The recommendation (`approaches`: the primary, then its complements) as one option;
    None without a complement, or without both a fine-tuning method and retrieval."""
    if len(approaches) < 2 or Approach.rag not in approaches:
        return None
    tuning = next((a for a in approaches if a in FINE_TUNING), None)
    method = facts.for_approach(tuning) if tuning is not None else None
    if tuning is None or method is None:
        return None
    ctx = facts.context
    serve_on = _tuned_serving.__wrapped__ if live_prices() else _tuned_serving
    full = tuning is Approach.full_fine_tuning
    target = facts.answers.latency_p99_ms
    tuned = serve_on(facts.model, ctx, full, target)
    # The retrieved context is the plan's choice (choices.py): what another setting would
    # cost to serve is one more swing of the serving, a driver outside its interval.
    context = f"{RAG}retrieved_tokens"
    at_low, at_high = (
        serve_on(facts.model, ctx, full, target, Band.only(context, side)).monthly_usd.expected
        - tuned.monthly_usd.expected
        for side in (Side.low, Side.high)
    )
    tuned_monthly = Range.from_swings(
        tuned.monthly_usd.expected, (*tuned.monthly_usd.effects, Swing(context, at_low, at_high))
    )
    refreshes = REFRESHES_PER_MONTH[facts.answers.data_freshness.value]
    traffic = Traffic(
        ctx.monthly_requests, ctx.input_tokens_per_request, ctx.output_tokens_per_request
    )
    overhead = retrieval_overhead(traffic, refreshes)
    build = method.programme_range
    per_retrain = method.estimate.per_experiment_usd.scale(ctx.tenants)
    reserve = retraining_reserve_monthly(build, per_retrain, facts.answers.data_freshness.value)
    est = method.estimate
    shares = {
        tuning: Part(
            tuning,
            approaches[0] is tuning,
            cents(build),
            cents(tuned_monthly),
            cents(reserve),
            method.experiments,
            est.request.tenant_runs,
        ),
        Approach.rag: Part(
            Approach.rag,
            approaches[0] is Approach.rag,
            cents(_retrieval_build(facts)),
            cents(overhead),
            Range.exact(0.0),
            plan_settings().experiments["standard"],
            0,
        ),
    }
    parts = tuple(shares[a] for a in approaches if a in shares)
    serving = ServingCost(
        tuned.approach,
        _sum([p.serving for p in parts]),
        tuned.how + " plus a vector store",
        tuned.self_host,
    )
    cost = ApproachCost(
        LINE,
        _sum([p.build for p in parts]),
        serving.monthly_usd,
        _sum([p.reserve for p in parts]),
    )
    return Combination(parts, cost, serving)
