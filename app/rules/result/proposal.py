"""The review of a team's proposal as typed, frozen values (the result's `proposal_review`).

A PM reviewing a fine-tuning proposal (001's reader) sees it costed with the same model as
the recommendation, side by side, with the anti-patterns that apply and a verdict. Money is in
US dollars, memory in GiB, time in hours or weeks as each field says.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.questions.proposal import Proposal
from app.rules.base.approaches import Approach
from app.rules.result import Result, UsdRange

Verdict = Literal["approve_as_proposed", "approve_with_changes", "send_back"]


class HoursRange(Result):
    """GPU-hours with the uncertainty of the cost model's constants."""

    low: float = Field(description="GPU-hours, the low estimate")
    expected: float = Field(description="GPU-hours, the expected estimate")
    high: float = Field(description="GPU-hours, the high estimate")


class ProposalSide(Result):
    """One column of the comparison: what the option is, what it needs and what it costs."""

    approach: Approach
    approach_label: str = Field(description="the approach in words")
    model: str | None = Field(description="model catalogue id; null when no open model is used")
    model_name: str | None = Field(description="the model in words")
    gpu: str | None = Field(description="training GPU catalogue id; null when nothing is trained")
    gpu_name: str | None = Field(description="the training GPU in words")
    gpus_asked: int | None = Field(
        description="GPUs per run the proposal asked for; null when not stated, for the "
        "recommendation, or when nothing is trained"
    )
    gpus_needed: int | None = Field(
        description="GPUs per run the costing used: the fewest of that GPU that hold the run, "
        "or more when more were asked for"
    )
    peak_memory_gb: float | None = Field(description="peak training memory per GPU, GiB")
    peak_memory_gb_asked: float | None = Field(
        description="peak training memory per GPU on the GPUs asked for, GiB, when they cannot "
        "hold the run and it is costed on more; null otherwise"
    )
    usable_memory_gb: float | None = Field(description="memory a run may use on one GPU, GiB")
    fits_gpus_asked: bool | None = Field(
        description="the GPUs asked for hold the run; null when no count was asked"
    )
    experiments: int | None = Field(
        description="training runs costed: the stated count, or the plan's when not stated"
    )
    experiments_stated: bool = Field(description="false when the proposal gave no count")
    per_experiment_usd: UsdRange | None
    gpu_hours: HoursRange | None = Field(description="GPU-hours of the whole programme")
    programme_usd: UsdRange = Field(description="the whole build: training or retrieval set-up")
    serving_monthly_usd: UsdRange = Field(description="serving a month, at the context's traffic")
    serving: str = Field(description="how it is served, in words")
    timeline_weeks: tuple[int, int] | None = Field(
        description="weeks, fewest and most, from the budget and timeline table; null when "
        "nothing is trained"
    )


class ProposalFlag(Result):
    """An anti-pattern that applies to the proposal, quoted from its source."""

    id: str = Field(description="the pattern's stable id (data/proposal.toml)")
    title: str = Field(description="the pattern in a few words")
    looks_like: str = Field(description="what it looks like, quoted from the source")
    why_wrong: str = Field(description="why it is wrong, quoted from the source")
    question: str = Field(description="the question to ask the team")
    detail: str = Field(description="this proposal's figures")
    source: str = Field(description="the source document and passage")


class ProposalReview(Result):
    """The proposal next to the recommendation, its anti-patterns, and the verdict."""

    proposal: Proposal = Field(description="the proposal as given")
    proposed: ProposalSide
    recommended: ProposalSide
    anti_patterns: tuple[ProposalFlag, ...] = Field(
        description="only the anti-patterns that apply to this proposal"
    )
    verdict: Verdict = Field(description="what the PM does with the proposal")
    verdict_label: str = Field(description="the verdict in words")
    verdict_reason: str = Field(description="why, for a person")
    verdict_source: str = Field(description="the source the verdict rule comes from")
    missing_evidence: tuple[str, ...] = Field(
        description="what the team must show before approval (send back)"
    )
    changes: tuple[str, ...] = Field(description="the changes asked for")
    notes: tuple[str, ...] = Field(
        (),
        description="remarks beside the verdict that do not move it: for example a stated "
        "experiment count that is bounded but above the typical 10 to 30",
    )
    saving_usd: UsdRange = Field(
        description="the proposal's programme minus the recommendation's, band by band; "
        "negative when the recommendation costs more"
    )
    saving_sentence: str = Field(description="the saving in words")
    budget_requested_usd: float | None = Field(description="the budget the team asked for")
