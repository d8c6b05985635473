"""The "Proposal review" section as the results page and the PDF print it, in words.

One builder for both: the side-by-side table (the proposal against the recommendation), the
anti-patterns that apply with their questions, and the verdict with what it asks for and the
saving. Models, GPUs and approaches by name, never by catalogue id.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.result import Recommendation, UsdRange
from app.rules.result.proposal import ProposalFlag, ProposalReview, ProposalSide
from app.vocabulary import numbers, words

NOT_TRAINED = "nothing is trained"


@dataclass(frozen=True, slots=True)
class CompareRow:
    """One line of the comparison: what it is, the proposal's value, the recommendation's."""

    label: str
    proposed: str
    recommended: str


@dataclass(frozen=True, slots=True)
class ProposalView:
    rows: tuple[CompareRow, ...]
    flags: tuple[ProposalFlag, ...]
    verdict: str
    verdict_kind: str
    """approve_as_proposed, approve_with_changes or send_back: a CSS class, never printed."""
    reason: str
    asks_heading: str
    asks: tuple[str, ...]
    notes: tuple[str, ...]
    """Remarks beside the verdict that do not move it (a bounded but high experiment count)."""
    saving: str
    budget: str
    source: str


def _money(r: UsdRange) -> str:
    return f"{numbers.usd(r.expected)} ({numbers.usd_range(r.low, r.high)})"


def _gpus(s: ProposalSide) -> str:
    if s.gpu is None or s.gpus_needed is None:
        return NOT_TRAINED
    if s.gpus_asked is not None and s.gpus_asked != s.gpus_needed:
        asked = words.gpus(s.gpu, s.gpus_asked)
        return f"{asked} asked for; priced on {words.gpus(s.gpu, s.gpus_needed)}"
    return words.gpus(s.gpu, s.gpus_needed)


def _memory(s: ProposalSide) -> str:
    if s.peak_memory_gb is None or s.usable_memory_gb is None:
        return NOT_TRAINED
    usable = numbers.gigabytes(s.usable_memory_gb)
    peak = numbers.gigabytes(s.peak_memory_gb)
    if s.peak_memory_gb_asked is not None and s.gpu is not None and s.gpus_asked is not None:
        asked = numbers.gigabytes(s.peak_memory_gb_asked)
        fits = "fits" if s.fits_gpus_asked else "does not fit"
        return (
            f"{asked} a GPU on the {s.gpus_asked:,} asked for, of {usable} usable: {fits}; "
            f"{peak} a GPU on {s.gpus_needed:,}"
        )
    verdict = "fits" if s.peak_memory_gb <= s.usable_memory_gb else "does not fit"
    return f"{peak} a GPU of {usable} usable: {verdict}"


def _experiments(s: ProposalSide) -> str:
    if s.experiments is None or s.per_experiment_usd is None:
        return NOT_TRAINED
    text = f"{numbers.plural(s.experiments, 'run')} at {numbers.usd(s.per_experiment_usd.expected)}"
    return text if s.experiments_stated else f"not stated; {text} assumed"


def _hours(s: ProposalSide) -> str:
    h = s.gpu_hours
    if h is None:
        return NOT_TRAINED
    return f"{numbers.hours(h.expected)} ({numbers.hours(h.low)} to {numbers.hours(h.high)})"


def _weeks(s: ProposalSide) -> str:
    if s.timeline_weeks is None:
        return "no training timeline"
    low, high = s.timeline_weeks
    return f"{low} to {high} weeks"


def _row(label: str, fn: object, p: ProposalSide, r: ProposalSide) -> CompareRow:
    assert callable(fn)
    return CompareRow(label, str(fn(p)), str(fn(r)))


def proposal_view(result: Recommendation) -> ProposalView | None:
    review: ProposalReview | None = result.proposal_review
    if review is None:
        return None
    p, r = review.proposed, review.recommended
    rows = (
        CompareRow("Method", p.approach_label, r.approach_label),
        CompareRow("Model", p.model_name or "no open model", r.model_name or "no open model"),
        _row("GPUs per training run", _gpus, p, r),
        _row("Training memory", _memory, p, r),
        _row("Experiments", _experiments, p, r),
        _row("GPU-hours", _hours, p, r),
        CompareRow("Programme cost", _money(p.programme_usd), _money(r.programme_usd)),
        CompareRow("Serving a month", _money(p.serving_monthly_usd), _money(r.serving_monthly_usd)),
        CompareRow("Served on", p.serving, r.serving),
        _row("Timeline", _weeks, p, r),
    )
    sending_back = review.verdict == "send_back"
    asks = review.missing_evidence if sending_back else review.changes
    heading = "Evidence missing" if sending_back else "Changes to ask for"
    if sending_back and review.changes:
        asks = (*asks, *(f"then: {c}" for c in review.changes))
    budget = (
        "The proposal states no budget."
        if review.budget_requested_usd is None
        else f"The team asked for {numbers.usd(review.budget_requested_usd)}; the proposal as "
        f"written costs about {numbers.usd(p.programme_usd.expected)} by this cost model."
    )
    return ProposalView(
        rows=rows,
        flags=review.anti_patterns,
        verdict=review.verdict_label,
        verdict_kind=review.verdict,
        reason=review.verdict_reason,
        asks_heading=heading,
        asks=asks,
        notes=review.notes,
        saving=review.saving_sentence,
        budget=budget,
        source=review.verdict_source,
    )
