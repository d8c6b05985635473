"""What the recommendation says about its own plan matches the plan (issue 23, classes 4, 6, 7).

4. A run laid over several GPUs reports its peak and its fit per GPU, as the training-estimate
   endpoint does, never the unsharded peak with "does not fit".
6. A programme the budget curated says so on page 1: how many examples the budget pays for,
   and what training on all of them would cost, priced by the same cost model.
7. A proposal that states a bounded experiment count above the typical 10 to 30 gets a note,
   not the unbounded-experiments anti-pattern.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cost_model.catalogue import load_catalogue
from app.cost_model.memory import usable_gib
from app.questions import RecommendationRequest
from app.rules.base.approaches import Approach
from app.rules.base.facts import build_facts
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.page_one import page_one
from app.views.proposal import proposal_view
from app.vocabulary import numbers
from tests.proposals import GOOD, flagged_ids, result_with_proposal, review_of
from tests.strategies import answers, context

CAT = load_catalogue()
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LARGE_MODELS = sorted(m.id for m in CAT.models.values() if m.params_b >= 30)
large_context = st.fixed_dictionaries(
    {"base_model": st.sampled_from(LARGE_MODELS)},
    optional={"gpu": st.sampled_from(sorted(CAT.gpus)), "tenants": st.integers(1, 20)},
)


def _recommend(a: dict[str, Any], c: dict[str, Any]) -> Recommendation:
    return recommend(RecommendationRequest.model_validate({"answers": a, "context": c}))


def _assert_per_gpu(a: dict[str, Any], c: dict[str, Any]) -> None:
    request = RecommendationRequest.model_validate({"answers": a, "context": c})
    facts = build_facts(request.answers, request.context)
    cost = recommend(request).cost
    for name, shown in cost.training_by_method.items():
        m = facts.for_approach(Approach(name))
        assert m is not None
        est = m.estimate
        assert shown.gpu_count == est.gpu_count
        assert shown.peak_memory_gb == round(est.per_gpu_memory.peak_gib, 1)
        assert shown.fits_gpu is est.fits_gpu_count
        assert shown.single_gpu_peak_memory_gb == round(est.peak_memory_gib.expected, 1)
        assert shown.fits_single_gpu is est.fits_gpu
        if shown.fits_gpu:
            assert shown.peak_memory_gb <= usable_gib(CAT.gpus[shown.gpu].memory_gib) + 0.05
    t = cost.training
    if t is None:
        return
    m = next(x for x in facts.methods if x.method.value == t.method)
    if m.estimate.fits_gpu_count:  # the estimator's own fitting layout: it fits, per GPU
        assert t.fits_gpu


@PROPERTY
@given(answers, context)
def test_the_recommended_plan_fits_per_gpu(a: dict[str, Any], c: dict[str, Any]) -> None:
    _assert_per_gpu(a, c)


@PROPERTY
@given(answers, large_context)
def test_a_large_model_over_several_gpus_fits_per_gpu(a: dict[str, Any], c: dict[str, Any]) -> None:
    _assert_per_gpu(a, c)


def test_full_fine_tuning_of_a_70b_model_on_16_h100s_fits_per_gpu() -> None:
    """The audit's case: 1,057.6 GiB unsharded on 16 x H100 was reported as 'does not fit'."""
    a = {
        "objective": "behaviour",
        "domain_vocabulary": "highly_specialised",
        "output_consistency": "strict_format",
        "labelled_examples": 50_000,
        "data_freshness": "quarterly",
        "citations_required": False,
        "latency_p99_ms": 2000,
        "ml_capability": 5,
        "budget_usd": 1_000_000,
    }
    c = {"base_model": "llama-3.1-70b", "gpu": "h100-80gb", "quality_evidence": "measured_gap"}
    full = _recommend(a, c).cost.training_by_method["full_fine_tuning"]
    assert full.gpu_count > 1
    assert full.fits_single_gpu is False
    assert full.single_gpu_peak_memory_gb is not None
    assert full.single_gpu_peak_memory_gb > 80
    assert full.fits_gpu
    assert full.peak_memory_gb <= 80


budgets = st.floats(0, 20_000, allow_nan=False)
example_counts = st.integers(200, 2_000_000)


@PROPERTY
@given(answers, context, budgets, example_counts)
def test_a_curated_programme_is_said_on_page_one_with_the_full_data_cost(
    a: dict[str, Any], c: dict[str, Any], budget: float, examples: int
) -> None:
    a = {**a, "budget_usd": budget, "labelled_examples": examples}
    r = _recommend(a, c)
    t = r.cost.training
    if t is None:
        return
    if not t.curated:
        assert t.full_data_total_usd is None
        return
    assert t.full_data_total_usd is not None
    # The full-data programme is what the budget could not pay: over it, and over the subset's.
    assert t.full_data_total_usd > round(budget, 2)
    assert t.full_data_total_usd > t.total_usd
    # Priced by the same cost model: the same method's programme with money no object.
    rich = RecommendationRequest.model_validate(
        {"answers": {**a, "budget_usd": 100_000_000}, "context": c}
    )
    every = build_facts(rich.answers, rich.context).for_approach(Approach(_approach(t.method)))
    assert every is not None
    assert every.examples == examples
    assert t.full_data_total_usd == round(every.programme_usd, 2)
    said = " ".join(f"{row.value} {row.note}" for row in page_one(r).facts)
    assert f"{numbers.count(t.examples)} of your {numbers.count(examples)} examples" in said
    assert numbers.usd(t.full_data_total_usd) in said


def _approach(method: str) -> str:
    return "full_fine_tuning" if method == "full" else method


def test_forty_dollars_for_five_thousand_examples_says_the_trade_off_on_page_one() -> None:
    """The audit's case: with $40, LoRA trained on a subset of 5,000 examples and page 1 said
    only 'a curated N of your 5,000 examples', not what all of them would cost."""
    a = {
        "objective": "behaviour",
        "domain_vocabulary": "specialised",
        "output_consistency": "strict_format",
        "labelled_examples": 5_000,
        "data_freshness": "quarterly",
        "citations_required": False,
        "latency_p99_ms": 2000,
        "ml_capability": 3,
        "budget_usd": 40,
    }
    r = _recommend(a, {})
    t = r.cost.training
    assert t is not None
    assert t.method == "lora"
    assert t.curated
    assert t.examples < 5_000
    assert t.total_usd <= 40
    assert t.full_data_total_usd is not None
    assert t.full_data_total_usd > 40
    build = page_one(r).facts[0]
    assert build.label == "Build cost"
    assert (
        f"the budget pays for training on {numbers.count(t.examples)} of your 5,000 examples; "
        f"all 5,000 would cost {numbers.usd(t.full_data_total_usd)}"
    ) in build.note


def test_a_stated_forty_experiments_is_a_note_not_the_unbounded_anti_pattern() -> None:
    review = review_of({**GOOD, "approach": "lora", "experiments": 40})
    assert "proposal-unbounded-experiments" not in flagged_ids(review)
    assert review.verdict == "approve_as_proposed"  # a note does not move the verdict
    assert len(review.notes) == 1
    assert "40 experiments" in review.notes[0]
    assert "10 to 30" in review.notes[0]
    view = proposal_view(result_with_proposal({**GOOD, "approach": "lora", "experiments": 40}))
    assert view is not None
    assert view.notes == review.notes


def test_no_count_or_an_open_ended_one_is_the_unbounded_anti_pattern() -> None:
    for proposal in (
        {"locked_test_set": "yes", "approach": "lora"},
        {**GOOD, "approach": "lora", "experiments": 150},
    ):
        review = review_of(proposal)
        assert "proposal-unbounded-experiments" in flagged_ids(review)
        assert not review.notes


def test_a_typical_count_gets_neither_note_nor_flag() -> None:
    review = review_of({**GOOD, "approach": "lora", "experiments": 20})
    assert "proposal-unbounded-experiments" not in flagged_ids(review)
    assert not review.notes
