"""A team's proposal as the tests pose it: seed 001's fintech proposal, the answers it came
with, and the review the engine gives a proposal. Shared by the proposal review, plan and page
tests.

A helper module, not a test module (tests/test_architecture.py holds that no test module
imports another).
"""

from __future__ import annotations

from typing import Any

from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.rules.result.proposal import ProposalReview
from benchmarks.common import FINTECH

ANSWERS = FINTECH["answers"]
"""The fintech support copilot's answers (the public scenario)."""

ON_PREM = {"on_prem_required": True}

FINTECH_PROPOSAL: dict[str, Any] = {
    "approach": "full_fine_tuning",
    "base_model": "llama-3.1-70b",
    "gpu": "h100-80gb",
    "gpu_count": 8,
    "experiments": 40,
    "budget_usd": 25000,
    "lora_comparison_run": "no",
}
"""001's fintech example, its first proposal: 'full fine-tuning on a 70B model ... $25,000 in
compute, a multi-GPU cluster they didn't have, and a model too large for their inference
setup'. The support copilot had to run on their own infrastructure (on-prem)."""

GOOD = {"locked_test_set": "yes", "experiments": 20}
"""What keeps the unrelated patterns silent in the per-pattern cases."""


def result_with_proposal(
    proposal: dict[str, Any],
    context: dict[str, Any] | None = None,
    answers: dict[str, Any] | None = None,
) -> Recommendation:
    """The recommendation for the fintech answers (changed by `answers`) in `context`
    (on-prem unless given) with `proposal` to review."""
    body = {
        "answers": {**ANSWERS, **(answers or {})},
        "context": ON_PREM if context is None else context,
    }
    return recommend(RecommendationRequest.model_validate({**body, "proposal": proposal}))


def review_of(
    proposal: dict[str, Any],
    context: dict[str, Any] | None = None,
    answers: dict[str, Any] | None = None,
) -> ProposalReview:
    """The review of `proposal`, as `result_with_proposal` poses it."""
    review = result_with_proposal(proposal, context, answers).proposal_review
    assert review is not None
    return review


def flagged_ids(review: ProposalReview) -> set[str]:
    """The ids of the anti-patterns a review flags."""
    return {f.id for f in review.anti_patterns}
