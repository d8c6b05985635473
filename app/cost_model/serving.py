"""Monthly serving cost of each approach.

A frontier API and RAG are priced per token from the genai-prices dataset. A fine-tuned model
is either hosted by a provider that sells its base model (base price plus the seed's premium)
or self-hosted on the cheapest GPU fleet that carries the busy hour (fleet.py: a
roofline per replica, chosen over GPU kinds and replica sizes by monthly cost). Tenants share
one base model through multi-adapter serving (vLLM's multi-LoRA), which costs throughput,
unless each needs a full model copy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from app.cost_model.cache_sizes import PER_REQUEST
from app.cost_model.catalogue import ModelSpec
from app.cost_model.choices import RAG
from app.cost_model.constants import Band
from app.cost_model.fleet import cheapest_fleet
from app.cost_model.prices import (
    api_price,
    embedding_usd_per_mtok,
    fine_tuned_premium,
    hosted_price,
    live_prices,
    price_data,
)
from app.cost_model.ranges import Range
from app.cost_model.self_hosting import (
    SelfHostPlan,
    Traffic,
    replica_throughput,
    seconds_per_month,
)

FINE_TUNED_PREMIUM = "fine_tuned_premium"
"""The premium a provider charges for a fine-tuned model's tokens, as a factor."""

# Re-exported: the rules, the API and the tests read serving's names from here.
__all__ = ["SelfHostPlan", "ServingCost", "Traffic", "replica_throughput", "seconds_per_month"]


@dataclass(frozen=True, slots=True)
class ServingCost:
    approach: str
    monthly_usd: Range
    how: str
    self_host: SelfHostPlan | None = None


def _rag() -> dict[str, float]:
    rag = price_data()["rag"]
    assert isinstance(rag, dict)
    return {k: float(v) for k, v in rag.items() if not k.endswith(("source", "_kind"))}


def rag_setting(name: str, band: Band) -> float:
    """A retrieval setting (its `_low`, plain and `_high` values) under a band."""
    rag = _rag()
    return band.choose(f"{RAG}{name}", rag[f"{name}_low"], rag[name], rag[f"{name}_high"])


def retrieved_tokens(band: Band) -> int:
    return int(rag_setting("retrieved_tokens", band))


def self_host(
    model: ModelSpec,
    traffic: Traffic,
    copies: int,
    band: Band,
    adapters: int = 0,
    target_ms: int | None = None,
) -> ServingCost | None:
    """The cheapest datacenter GPU fleet that carries the busy hour, always on, and answers
    within `target_ms` at p99 where any fleet does."""
    plan = cheapest_fleet(model, traffic, copies, band, adapters, target_ms)
    if plan is None:
        return None
    how = (
        f"self-hosted on {plan.gpus} x {plan.gpu} ({plan.replicas} replica(s) of "
        f"{plan.tensor_parallel} GPU(s), "
        f"{plan.requests_per_second_per_replica:.2f} requests/s each)"
    )
    return ServingCost("self_host", Range.exact(plan.monthly_usd), how, plan)


@lru_cache(maxsize=PER_REQUEST)
def _self_host_range(
    model: ModelSpec, traffic: Traffic, copies: int, adapters: int = 0, target_ms: int | None = None
) -> ServingCost | None:
    """The cheapest fleet with every factor expected (answering within `target_ms` where any
    fleet does); its range is the cheapest such fleet's cost as each factor alone moves (a
    GPU's price, the utilisation, the peak), which may pick another fleet.

    Cached: a recommendation asks for the same fleet's range two or three times (the latency
    rules, the cost block, the combination and the options all price serving), and each range
    makes about 27 fleet probes."""
    expected = self_host(model, traffic, copies, Band.expected, adapters, target_ms)
    if expected is None:
        return None

    def usd(band: Band) -> float:
        plan = cheapest_fleet(model, traffic, copies, band, adapters, target_ms)
        return plan.monthly_usd if plan is not None else math.inf

    return ServingCost("self_host", Range.of(usd), expected.how, expected.self_host)


def api_monthly(reference: str, traffic: Traffic, extra_input: int = 0) -> Range:
    price = api_price(reference, traffic.input_tokens + extra_input, traffic.output_tokens)
    per_request = (
        (traffic.input_tokens + extra_input) * price.input_usd_per_mtok
        + traffic.output_tokens * price.output_usd_per_mtok
    ) / 1e6
    return Range.exact(per_request * traffic.monthly_requests)


def rag_monthly(reference: str, traffic: Traffic, refreshes_per_month: float) -> Range:
    """Retrieval in front of the reference API: longer prompts, plus the retrieval overhead."""

    def usd(band: Band) -> float:
        return api_monthly(reference, traffic, retrieved_tokens(band)).expected

    return Range.of(usd) + retrieval_overhead(traffic, refreshes_per_month)


def retrieval_overhead(traffic: Traffic, refreshes_per_month: float) -> Range:
    """What retrieval costs a month besides the model: embedding each query, re-embedding the
    corpus at each refresh, and the vector store."""
    emb = embedding_usd_per_mtok()

    def usd(band: Band) -> float:
        queries = traffic.monthly_requests * traffic.input_tokens * emb / 1e6
        corpus = rag_setting("corpus_tokens", band) * refreshes_per_month * emb / 1e6
        return queries + corpus + rag_setting("vector_store_usd_month", band)

    return Range.of(usd)


def rag_build(
    reference: str, traffic: Traffic, experiments: int, test_set: int, model: ModelSpec | None
) -> Range:
    """`_rag_build`, cached while prices are pinned (live prices may move between calls): it
    depends on the traffic and the test set, not on the answers that move most."""
    build = _rag_build if live_prices() else _cached_rag_build
    return build(reference, traffic, experiments, test_set, model)


def _rag_build(
    reference: str, traffic: Traffic, experiments: int, test_set: int, model: ModelSpec | None
) -> Range:
    """Building retrieval: embedding the corpus once, then a bounded search over its settings
    (chunking, top-k, prompt), each scored on the locked test set like a fine-tuning
    experiment (001: "a number of experiments (typically 10 to 30)"; 002: "Run the fine-tuned
    model and the base model (or frontier API) on the same test set"). The scoring runs on the
    reference API, or, with `model` (on-prem), at its hosted per-token price where a provider
    sells it, a proxy for the GPU time on your own hardware."""
    emb = embedding_usd_per_mtok()
    scoring = Traffic(experiments * test_set, traffic.input_tokens, traffic.output_tokens)

    def usd(band: Band) -> float:
        corpus = rag_setting("corpus_tokens", band) * emb / 1e6
        extra = retrieved_tokens(band)
        with_context = Traffic(
            scoring.monthly_requests, scoring.input_tokens + extra, scoring.output_tokens
        )
        hosted = None if model is None else hosted_monthly(model, with_context)
        runs = api_monthly(reference, scoring, extra) if hosted is None else hosted
        return corpus + runs.expected

    return Range.of(usd)


_cached_rag_build = lru_cache(maxsize=1024)(_rag_build)


def hosted_base_monthly(model: ModelSpec, traffic: Traffic) -> Range | None:
    """A provider's per-token price for the model as it is (no fine-tuning premium), where a
    provider in the price data sells it."""
    price = hosted_price(model.id, traffic.input_tokens, traffic.output_tokens)
    if price is None:
        return None
    per_request = (
        traffic.input_tokens * price.input_usd_per_mtok
        + traffic.output_tokens * price.output_usd_per_mtok
    ) / 1e6
    return Range.exact(per_request * traffic.monthly_requests)


def hosted_monthly(model: ModelSpec, traffic: Traffic) -> Range | None:
    """The same, plus the fine-tuned model's premium band (`fine_tuned_premium`)."""
    base = hosted_base_monthly(model, traffic)
    if base is None:
        return None
    p = fine_tuned_premium()
    premium = Range.factor(FINE_TUNED_PREMIUM, 1 + p.low, 1 + p.expected, 1 + p.high)
    return premium.scale(base.expected)


def fine_tuned_monthly(
    model: ModelSpec,
    traffic: Traffic,
    *,
    on_prem: bool,
    adapters: bool,
    copies: int = 1,
    tenants: int = 1,
    target_ms: int | None = None,
) -> ServingCost:
    """The cheaper of hosted and self-hosted serving.

    Providers serve LoRA adapters on their shared base model at its per-token price (plus the
    premium); a fully fine-tuned model needs its own deployment, so it is self-hosted, as is
    everything on-prem. Self-hosted, one tenant's adapter is merged into the base (no cost, the
    same weights as a full fine-tune; kept unmerged is the high end of its range), while several
    tenants' adapters stay unmerged on one shared base and cost throughput in every band.
    Self-hosted, the fleet also meets the p99 `target_ms` where any fleet can (fleet.py).
    """
    own = _self_host_range(model, traffic, copies, max(1, tenants) if adapters else 0, target_ms)
    hosted = hosted_monthly(model, traffic) if adapters and not on_prem else None
    if own is None and hosted is None:
        raise ValueError(f"{model.id} fits no catalogue GPU for serving")
    if hosted is not None and (own is None or hosted.expected <= own.monthly_usd.expected):
        return ServingCost("hosted", hosted, f"hosted {model.name} with the fine-tuning premium")
    assert own is not None
    return own
