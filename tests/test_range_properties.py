"""Ranges that mean something: P10 to P90 intervals of independent factors (hypothesis).

Every low and high used to stack every low constant against every high one; now each factor
swings alone and the swings are combined as independent (app/cost_model/ranges.py)."""

from __future__ import annotations

import math
import sys
from statistics import NormalDist
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.canonical import canonical_json
from app.cost_model.catalogue import load_catalogue
from app.cost_model.choices import is_choice
from app.cost_model.constants import Band, hourly_usd
from app.cost_model.methods import Method
from app.cost_model.ranges import Range, Swing
from app.cost_model.training import TrainingRequest, estimate_training
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from benchmarks.situations import situations
from tests.strategies import CAT, FAST, answers, context, recommendation_json


def _ranges(node: Any) -> list[dict[str, Any]]:
    """Every low / expected / high range in a result, wherever it sits."""
    found = []
    if isinstance(node, dict):
        if {"low", "expected", "high"} <= node.keys() and "drivers" in node:
            found.append(node)
        for value in node.values():
            found += _ranges(value)
    elif isinstance(node, list | tuple):
        for value in node:
            found += _ranges(value)
    return found


@FAST
@given(answers, context)
def test_every_range_holds_its_expected_value(a: dict[str, Any], c: dict[str, Any]) -> None:
    result = recommendation_json(a, c)
    for r in _ranges(result):
        assert r["low"] <= r["expected"] <= r["high"], r
        assert r["is_exact"] == (r["low"] == r["expected"] == r["high"])
        for d in r["drivers"]:
            assert d["usd_at_low"] != 0 or d["usd_at_high"] != 0
            if d["low"] is not None:
                assert min(d["low"], d["high"]) <= d["expected"] <= max(d["low"], d["high"])
    for s in result["cost"]["series"]:
        for low, mid, high in zip(s["low_usd"], s["cumulative_usd"], s["high_usd"], strict=True):
            assert low <= mid + 0.01
            assert mid <= high + 0.01


@FAST
@given(answers, context)
def test_a_saving_whose_interval_crosses_zero_is_about_break_even(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    payback = recommendation_json(a, c)["cost"]["payback"]
    s = payback["saving_usd"]
    crosses = s["low"] < 0 < s["high"]
    assert payback["crosses_zero"] is (crosses and payback["line"] != payback["versus"])
    if payback["crosses_zero"]:
        sentence = payback["sentence"].split(" Prompting the same model")[0]
        assert "about break-even" in sentence
        assert " saves " not in sentence
        assert "does not pay back" not in sentence
        assert payback["depends_on"] is not None
        assert payback["depends_on"]["factor"] == s["drivers"][0]["factor"]
    else:
        assert payback["depends_on"] is None


@FAST
@given(answers, context)
def test_the_same_inputs_give_the_same_bytes_from_cold_caches(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    """The factors a range probes are recorded through caches: a result made with every cost
    model cache cold is the same, byte for byte, as one made from warm caches."""
    warm = canonical_json(recommendation_json(a, c))
    for module in [m for name, m in sys.modules.items() if name.startswith("app.cost_model")]:
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)) and hasattr(value, "__wrapped__"):
                value.cache_clear()
    assert canonical_json(recommendation_json(dict(a), dict(c))) == warm


training = st.builds(
    TrainingRequest,
    method=st.sampled_from(list(Method)),
    model=st.sampled_from(sorted(CAT.models.values(), key=lambda m: m.id)),
    gpu=st.sampled_from(sorted(CAT.gpus.values(), key=lambda g: g.id)),
    examples=st.integers(1, 200_000),
    tokens_per_example=st.integers(50, 4000),
    eval_examples=st.integers(0, 200),
)


@FAST
@given(training)
def test_a_run_s_interval_is_inside_every_factor_stacked(req: TrainingRequest) -> None:
    """Every factor at its low (or high) at once bounds the interval, and with more than one
    factor moving the cost the interval is strictly inside that bound (it was the bound)."""
    est = estimate_training(req)
    r = est.per_experiment_usd
    stacked = [est._gpu_hours(b) * hourly_usd(req.gpu, b) for b in (Band.low, Band.high)]
    assert min(stacked) * (1 - 1e-9) <= r.low <= r.expected <= r.high <= max(stacked) * (1 + 1e-9)
    if sum(s.down > 0 for s in r.swings) > 1:
        assert min(stacked) < r.low
    if sum(s.up > 0 for s in r.swings) > 1:
        assert r.high < max(stacked)


K = NormalDist().inv_cdf(0.90) / NormalDist().inv_cdf(0.95)
"""A band's extremes are its P5 and P95; the interval is P10 to P90."""


def test_swings_combine_as_independent_factors() -> None:
    """Two factors that each move a cost from 100 to 50 or 200 (their P5 and P95) give
    exp(-k sqrt(2) ln 2) and exp(k sqrt(2) ln 2) of it, k = z(0.90) / z(0.95) (log scale); a
    saving's swings combine on the linear scale, scaled by the same k."""
    assert pytest.approx(1.2816 / 1.6449, abs=1e-4) == K
    cost = Range.from_swings(100.0, (Swing("a", -50.0, 100.0), Swing("b", -50.0, 100.0)))
    assert cost.low == pytest.approx(100 * 2 ** -(K * math.sqrt(2)))
    assert cost.high == pytest.approx(100 * 2 ** (K * math.sqrt(2)))
    saving = Range.from_swings(10.0, (Swing("a", -30.0, 40.0), Swing("b", 0.0, -40.0)))
    assert saving.low == pytest.approx(10 - K * 50)
    assert saving.high == pytest.approx(10 + K * 40)


def test_the_same_factor_adds_before_it_is_combined() -> None:
    """A build and a month of running share the GPU's price: their sum swings by the sum of
    the two swings, and the difference of two figures driven by one factor alone is exact."""
    price = Range.factor("gpu_price:h100-80gb", 1.99, 2.99, 6.88)
    build, month = price.scale(100.0), price.scale(730.0)
    total = build + month
    assert total.low == pytest.approx(830 * 2.99 * (1.99 / 2.99) ** K)
    assert total.high == pytest.approx(830 * 2.99 * (6.88 / 2.99) ** K)
    (swing,) = total.swings
    assert swing.at_low == pytest.approx(-830.0)
    assert swing.at_high == pytest.approx(830 * 3.89)
    assert (month - month).is_exact
    speed = Range.factor("mfu_lora", 0.8, 1.0, 1.25)
    both = Range.of(lambda b: 830 * price.at(b) * speed.at(b))
    assert [s.factor for s in both.swings] == ["gpu_price:h100-80gb", "mfu_lora"]
    assert 830 * 1.99 * 0.8 < both.low < total.low  # not every low at once
    assert total.high < both.high < 830 * 6.88 * 1.25


def test_a_choice_of_the_plan_is_a_driver_not_in_the_interval() -> None:
    """The retrieved context and the vector store are the plan's choices (prices.toml marks
    them `choice`): their swings are kept and listed first when largest, but the interval is
    the uncertain factors' alone."""
    from app.rules.result import UsdRange  # noqa: PLC0415

    assert is_choice("rag:retrieved_tokens")
    assert is_choice("rag:vector_store_usd_month")
    assert is_choice("rag:corpus_tokens")  # the corpus is yours: stated, not uncertain
    assert not is_choice("gpu_price:h100-80gb")
    assert not is_choice("gpu_price:h100-80gb")
    store = Swing("rag:vector_store_usd_month", -50.0, 450.0)
    price = Swing("gpu_price:h100-80gb", -10.0, 40.0)
    figure = Range.from_swings(100.0, (store, price))
    alone = Range.from_swings(100.0, (price,))
    assert (figure.low, figure.high) == (alone.low, alone.high)
    assert [s.factor for s in figure.drivers()] == [store.factor, price.factor]
    shown = UsdRange.of(figure)
    assert [(d.factor, d.kind) for d in shown.drivers] == [
        ("rag:vector_store_usd_month", "choice"),
        ("gpu_price:h100-80gb", "uncertain"),
    ]
    only_a_choice = UsdRange.of(Range.from_swings(100.0, (store,)))
    assert only_a_choice.is_exact
    assert only_a_choice.drivers[0].usd_at_high == 450.0


def test_each_driver_is_named_with_its_own_band() -> None:
    gpu = load_catalogue().gpus["h100-80gb"]
    req = TrainingRequest(method=Method.lora, model=CAT.models["llama-3.1-8b"], gpu=gpu)
    from app.rules.result import UsdRange  # noqa: PLC0415

    shown = UsdRange.of(estimate_training(req).total_usd)
    assert not shown.is_exact
    names = [d.factor for d in shown.drivers]
    assert "gpu_price:h100-80gb" in names
    price = next(d for d in shown.drivers if d.factor == "gpu_price:h100-80gb")
    assert (price.low, price.expected, price.high) == (2.69, 3.99, 6.88)
    assert price.label == f"the {gpu.name}'s hourly price"
    assert price.usd_at_low < 0 < price.usd_at_high


RUNNING_WITHIN = 4.0
PROGRAMME_WITHIN = 6.0
"""Issue 22's Done-when: the recommended line's running-cost interval within 4x (high over
low), a training programme's within 6x."""


def _within(r: dict[str, Any], times: float) -> bool:
    return bool(r["is_exact"] or r["high"] <= times * r["low"])


CORPUS_DOMINATES = (
    situations()["daily-catalogue"]["answers"],
    {"monthly_requests": 100},
)
"""A catalogue that changes daily, asked 100 times a month: retrieval's running cost is mostly
re-embedding the corpus each day. While the corpus size (not asked: 5M to 500M tokens around
50M) counted as uncertainty, the interval spanned 4.29x; it is the plan's stated assumption, a
driver, so the interval is the prices' and the physics'."""

RESERVE_DOMINATES = (
    {
        "objective": "behaviour",
        "domain_vocabulary": "general",
        "output_consistency": "strict_format",
        "labelled_examples": 4_088_511,
        "data_freshness": "quarterly",
        "citations_required": False,
        "latency_p99_ms": 3647,
        "ml_capability": 5,
        "budget_usd": 75_000_000,
    },
    {"monthly_requests": 3647, "gpu": "a100-40gb", "horizon_months": 39},
)
"""LoRA on 4 million examples served 3,647 times a month: the running cost is almost all the
retraining reserve (a share of the build). While the reserve's 1x to 3x a year counted as
uncertainty, it, the A100 40GB's price and the utilisation spanned 4.6x; the reserve is the
plan's stated budgeting rule (a driver), so the interval is the price's and the physics'."""


@FAST
@example(*CORPUS_DOMINATES)
@example(*RESERVE_DOMINATES)
@given(answers, context)
def test_the_recommended_line_s_running_cost_interval_is_within_4x(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    cost = recommendation_json(a, c)["cost"]
    spread = cost["monthly_range"][cost["recommended"]]
    assert _within(spread, RUNNING_WITHIN), (cost["recommended"], spread)


@FAST
@given(answers, context)
def test_every_training_programme_s_interval_is_within_6x(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    cost = recommendation_json(a, c)["cost"]
    for method, programme in cost["training_by_method"].items():
        spread = programme["total_usd_range"]
        assert _within(spread, PROGRAMME_WITHIN), (method, spread)
        assert _within(programme["per_experiment_usd_range"], PROGRAMME_WITHIN), method


def test_the_combined_line_combines_its_parts_factors() -> None:
    """The recommended line's running cost is its parts' swings added factor by factor, then
    combined: not the parts' intervals stacked end to end."""
    from app.rules.base.facts import build_facts  # noqa: PLC0415
    from app.rules.economics.combination import combine  # noqa: PLC0415
    from tests.cases import LEGAL  # noqa: PLC0415

    request = RecommendationRequest.model_validate(LEGAL)
    r = recommend(request)
    combo = combine(build_facts(request.answers, request.context), (r.approach, *r.complements))
    assert combo is not None
    parts = [p.serving + p.reserve for p in combo.parts]
    summed: dict[str, list[float]] = {}
    for part in parts:
        for s in part.swings:
            moved = summed.setdefault(s.factor, [0.0, 0.0])
            moved[0] += s.at_low
            moved[1] += s.at_high
    whole = combo.cost.monthly_usd
    assert {s.factor for s in whole.swings} == set(summed)
    for s in whole.swings:
        assert [s.at_low, s.at_high] == pytest.approx(summed[s.factor]), s.factor
    again = Range.from_swings(whole.expected, whole.swings)
    assert whole.low == pytest.approx(again.low)
    assert whole.high == pytest.approx(again.high)
    stacked = sum(p.high - p.low for p in parts)
    assert whole.high - whole.low <= stacked * 1.01  # never wider than stacked end to end
    shown = r.cost.monthly_range["recommended"]
    assert (shown.low, shown.high) == (round(whole.low, 2), round(whole.high, 2))
    assert "rag:retrieved_tokens" in {s.factor for s in whole.swings}  # a choice, a driver
