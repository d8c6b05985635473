"""Serving the options that are not fine-tuned on the plan's own open model: prompting it as it
is, and retrieval in front of it.

A comparison is only fair when each option is priced end to end on the model it runs on. The
reference frontier API (the status quo) and the fine-tuned open model differ in two ways, the
model and the fine-tuning; prompting the same open model without fine-tuning separates the two,
so a reader sees how much of a saving comes from changing model and how much from fine-tuning.
"""

from __future__ import annotations

from app.cost_model.catalogue import ModelSpec
from app.cost_model.constants import Band
from app.cost_model.serving import (
    ServingCost,
    Traffic,
    fine_tuned_monthly,
    hosted_base_monthly,
    retrieval_overhead,
    retrieved_tokens,
)


def prompted_monthly(
    model: ModelSpec, traffic: Traffic, *, on_prem: bool, target_ms: int | None = None
) -> ServingCost:
    """The open model prompted without fine-tuning: the cheaper of a provider's base price and
    self-hosting (one copy, no adapters, sized for the p99 target too); self-hosted only when
    it must run on-prem."""
    own = fine_tuned_monthly(model, traffic, on_prem=True, adapters=False, target_ms=target_ms)
    hosted = None if on_prem else hosted_base_monthly(model, traffic)
    if hosted is not None and hosted.expected <= own.monthly_usd.expected:
        return ServingCost("hosted", hosted, f"hosted {model.name}")
    return own


def rag_on_model_monthly(
    model: ModelSpec,
    traffic: Traffic,
    refreshes_per_month: float,
    *,
    on_prem: bool,
    target_ms: int | None = None,
) -> ServingCost:
    """Retrieval in front of the open model: its prompts carry the retrieved context (sized at
    the expected number of chunks), plus the retrieval overhead (queries, corpus refreshes,
    the vector store)."""
    extra = retrieved_tokens(Band.expected)
    longer = Traffic(traffic.monthly_requests, traffic.input_tokens + extra, traffic.output_tokens)
    served = prompted_monthly(model, longer, on_prem=on_prem, target_ms=target_ms)
    return ServingCost(
        served.approach,
        served.monthly_usd + retrieval_overhead(traffic, refreshes_per_month),
        served.how + " plus a vector store",
        served.self_host,
    )
