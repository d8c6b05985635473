"""The review of a team's proposal: costed side by side, anti-patterns, a verdict.

Deterministic like the recommendation: the same request gives the same review. The verdict
follows the catalogue (data/proposal.toml): a firing pattern that asks for evidence sends the
proposal back; one that asks for a change approves it with that change; none approves it as
proposed. A different approach with no pattern firing is a change to the recommended one.
"""

from __future__ import annotations

from app.cost_model.ranges import Range
from app.questions.proposal import Proposal
from app.rules.base.approaches import Approach
from app.rules.base.facts import Facts
from app.rules.base.thresholds import fill
from app.rules.decision.plan import Plan
from app.rules.economics.cost_block import SERIES_NAMES, CostBlock
from app.rules.economics.summaries import serving_words
from app.rules.proposal.catalogue import ProposalCatalogue, load_proposal_catalogue
from app.rules.proposal.checks import CONDITIONS, Review, notes
from app.rules.proposal.cost import Side, cost_proposal, recommended_side
from app.rules.result import UsdRange
from app.rules.result.proposal import (
    HoursRange,
    ProposalFlag,
    ProposalReview,
    ProposalSide,
    Verdict,
)
from app.vocabulary import words
from app.vocabulary.numbers import saving_range, usd


def _side(s: Side, facts: Facts) -> ProposalSide:
    t = s.training
    model = facts.model if s.model is None else s.model
    api = facts.context.reference_api_model
    how = serving_words(model.id, api, SERIES_NAMES[s.approach], s.serving)
    return ProposalSide(
        approach=s.approach,
        approach_label=words.approach(s.approach.value),
        model=None if s.model is None else s.model.id,
        model_name=None if s.model is None else s.model.name,
        gpu=None if t is None else t.request.gpu.id,
        gpu_name=None if t is None else t.request.gpu.name,
        gpus_asked=s.gpus_asked,
        gpus_needed=None if t is None else t.gpu_count,
        peak_memory_gb=None if t is None else round(t.per_gpu_memory.peak_gib, 1),
        peak_memory_gb_asked=None if s.asked_peak_gib is None else round(s.asked_peak_gib, 1),
        usable_memory_gb=None if s.usable_gib is None else round(s.usable_gib, 1),
        fits_gpus_asked=s.fits_asked,
        experiments=None if t is None else t.request.experiments,
        experiments_stated=s.experiments_stated,
        per_experiment_usd=None if t is None else UsdRange.of(t.per_experiment_usd),
        gpu_hours=None
        if s.gpu_hours is None
        else HoursRange(
            low=round(s.gpu_hours.low, 1),
            expected=round(s.gpu_hours.expected, 1),
            high=round(s.gpu_hours.high, 1),
        ),
        programme_usd=UsdRange.of(s.programme_usd),
        serving_monthly_usd=UsdRange.of(s.serving.monthly_usd),
        serving=how,
        timeline_weeks=s.timeline_weeks,
    )


def _saving(proposed: Range, recommended: Range) -> Range:
    """Band by band: both sides carry the same constants' uncertainty, so their low ends go
    together (a low-throughput world makes both dearer)."""
    values = (
        proposed.low - recommended.low,
        proposed.expected - recommended.expected,
        proposed.high - recommended.high,
    )
    return Range(min(values), values[1], max(values))


def _saving_sentence(saving: Range) -> str:
    bounds = saving_range(saving.low, saving.high)
    if saving.expected >= 0:
        return (
            f"The recommendation costs about {usd(saving.expected)} less to build than the "
            f"proposal ({bounds})."
        )
    return (
        f"The recommendation costs about {usd(-saving.expected)} more to build than the "
        f"proposal ({bounds})."
    )


SWITCHES = frozenset({"proposal-full-as-primary-path", "proposal-model-too-large-for-inference"})
"""Patterns whose ask moves the team to the recommended method or model."""
ON_THE_PLAN = frozenset(
    {
        "proposal-gpus-sized-for-full",
        "proposal-gpus-do-not-hold-run",
        "proposal-unbounded-experiments",
    }
)
"""Patterns whose ask names GPUs or a price per run: after a switch, the recommendation's."""


def _asks_on_the_plan(review: Review, fired: set[str]) -> dict[str, str]:
    """The GPUs and the price per run to ask for once the team also switches to the
    recommended method or model: the plan's, not the proposal's (a follow-up list that says
    'use Llama 3.1 8B' must not also say '1 x H100 at $153 a run', figures of 70B)."""
    ours = review.recommended.training
    if not fired & SWITCHES or ours is None:
        return {}
    run = ours.request
    return {
        "needed": words.gpus(run.gpu.id, ours.gpu_count),
        "per_run": usd(ours.per_experiment_usd.expected),
    }


def review_proposal(
    proposal: Proposal,
    facts: Facts,
    plan: Plan,
    block: CostBlock,
    why_recommended: str,
    catalogue: ProposalCatalogue | None = None,
) -> ProposalReview:
    """The proposal costed, checked and judged; `why_recommended` is the recommendation's
    deciding reason, quoted when the proposal picks another approach."""
    cat = catalogue or load_proposal_catalogue()
    proposed = cost_proposal(proposal, facts, block)
    recommended = recommended_side(facts, plan, block)
    review = Review(proposal, facts, proposed, recommended, cat)
    flags: list[ProposalFlag] = []
    missing: list[str] = []
    changes: list[str] = []
    fired = [(p, f) for p in cat.anti_patterns if (f := CONDITIONS[p.id](review)) is not None]
    to_the_plan = _asks_on_the_plan(review, {p.id for p, _ in fired})
    for pattern, figures in fired:
        flags.append(
            ProposalFlag(
                id=pattern.id,
                title=pattern.title,
                looks_like=pattern.looks_like,
                why_wrong=pattern.why_wrong,
                question=pattern.question,
                detail=fill(pattern.detail, figures),
                source=pattern.source,
            )
        )
        asked = figures | to_the_plan if pattern.id in ON_THE_PLAN else figures
        (missing if pattern.verdict == "send_back" else changes).append(fill(pattern.asks, asked))
    v = cat.verdict
    other = proposed.approach is not recommended.approach
    if other and proposed.approach is not Approach.full_fine_tuning:  # full has its patterns
        changes.append(
            fill(
                v.different_approach,
                {
                    "recommended": words.approach_in_sentence(recommended.approach.value),
                    "proposed": words.approach_in_sentence(proposed.approach.value),
                    "why": why_recommended,
                },
            )
        )
    verdict: Verdict
    if missing:
        own = [p.reason for p, _ in fired if p.verdict == "send_back" and p.reason]
        verdict, label, reason = "send_back", v.send_back, own[0] if own else v.send_back_reason
        source = v.send_back_source
    elif changes:
        verdict, label, reason = "approve_with_changes", v.change, v.change_reason
        source = v.different_approach_source if other and not flags else v.change_source
    else:
        verdict, label, reason = "approve_as_proposed", v.approve, v.approve_reason
        source = v.approve_source
    saving = _saving(proposed.programme_usd, recommended.programme_usd)
    return ProposalReview(
        proposal=proposal,
        proposed=_side(proposed, facts),
        recommended=_side(recommended, facts),
        anti_patterns=tuple(flags),
        verdict=verdict,
        verdict_label=label,
        verdict_reason=reason,
        verdict_source=source,
        missing_evidence=tuple(missing),
        changes=tuple(changes),
        notes=notes(review, switched=bool(to_the_plan)),
        saving_usd=UsdRange.of(saving),
        saving_sentence=_saving_sentence(saving),
        budget_requested_usd=proposal.budget_usd,
    )
