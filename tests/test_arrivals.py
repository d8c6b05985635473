"""The arrival model: Poisson arrivals at the busy hour, Little's law, the batch an answer shares.

Each test fails when the behaviour it names is removed: a quantile that is not Poisson's, a
batch that ignores the traffic, a fleet that does not keep the batch it was sized for.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cost_model import arrivals
from app.cost_model.constants import load_constants

Q = 0.99


def _constant(seconds: float) -> Callable[[int], float]:
    return lambda _: seconds


@pytest.mark.parametrize(
    ("mean", "quantile"),
    [(0.0, 0), (0.01, 0), (0.02, 1), (1.0, 4), (10.0, 18), (100.0, 124)],
)
def test_the_poisson_99th_percentile(mean: float, quantile: int) -> None:
    """Known values: P(N <= 3) = 0.981 and P(N <= 4) = 0.996 at mean 1; e^-0.01 = 0.990."""
    assert arrivals.poisson_quantile(mean, Q, 1000) == quantile


def test_the_cdf_sums_to_one_without_underflow() -> None:
    assert arrivals.poisson_cdf(2000, 900.0) == pytest.approx(1.0)
    assert arrivals.poisson_cdf(0, 1.0) == pytest.approx(math.exp(-1))


@pytest.mark.parametrize("k", [0, 1, 4, 31, 127])
def test_largest_mean_is_where_the_quantile_steps_up(k: int) -> None:
    mean = arrivals.largest_mean(k, Q)
    assert arrivals.poisson_quantile(mean, Q, 1000) <= k
    assert arrivals.poisson_quantile(mean * 1.001, Q, 1000) == k + 1


def test_an_idle_replica_decodes_an_answer_alone_and_a_busy_one_at_its_batch() -> None:
    assert arrivals.shared_batch(0.0, _constant(10.0), 64) == 1
    assert arrivals.shared_batch(1e-5, _constant(10.0), 64) == 1  # 0.0001 answers in flight
    assert arrivals.shared_batch(100.0, _constant(10.0), 64) == 64  # 1,000 in flight: capped


def test_fifty_thousand_requests_a_month_share_a_handful() -> None:
    """50,000 a month is 0.038 a second at a busy hour of twice the average; an answer of 10 s
    finds 0.38 others on average (Little's law) and at most 2 in 99 cases of 100 (P(N <= 2) =
    0.993), so it decodes beside 2 others, not beside a full replica's 64."""
    rate = arrivals.peak_rate(50_000)
    assert rate == pytest.approx(50_000 / (730 * 3600) * 2)
    assert arrivals.shared_batch(rate, _constant(10.0), 64) == 1 + 2


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(0, 50),
    fixed=st.floats(0.01, 30),
    per_answer=st.floats(0, 1),
    cap=st.integers(1, 256),
)
def test_the_batch_is_the_least_fixed_point(
    rate: float, fixed: float, per_answer: float, cap: int
) -> None:
    """W grows with the batch; the batch found is a fixed point of b -> min(cap, 1 + Q(lambda
    W(b))), and no smaller batch is one (the map never falls, so none below can be)."""

    def seconds(batch: int) -> float:
        return fixed + per_answer * batch

    def step(batch: int) -> int:
        return min(cap, 1 + arrivals.poisson_quantile(rate * seconds(batch), Q, cap))

    batch = arrivals.shared_batch(rate, seconds, cap)
    assert 1 <= batch <= cap
    assert step(batch) == batch
    assert all(step(b) > b for b in range(1, batch))


@settings(max_examples=200, deadline=None)
@given(rate=st.floats(0.001, 100), fixed=st.floats(0.05, 30), batch=st.integers(1, 128))
def test_the_replicas_for_a_batch_keep_it_and_no_fewer_do(
    rate: float, fixed: float, batch: int
) -> None:
    def seconds(b: int) -> float:
        return fixed * (1 + 0.01 * b)

    replicas = arrivals.replicas_for_batch(rate, seconds, batch)
    assert arrivals.shared_batch(rate / replicas, seconds, 1000) <= batch
    if replicas > 1:
        assert arrivals.shared_batch(rate / (replicas - 1), seconds, 1000) > batch


def test_the_arrival_model_is_stated_with_its_citations() -> None:
    source = load_constants().table["latency_concurrency_quantile"].source
    for cited in ("Poisson", "Little 1961", "L = lambda W", "Wolff 1982", "M/G/infinity"):
        assert cited in source
    assert "Little 1961" in (arrivals.__doc__ or "")
    assert load_constants().get("latency_concurrency_quantile") == Q
