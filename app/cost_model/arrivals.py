"""How many answers one answer shares its decode batch with, at the traffic's real concurrency.

The arrival model (data/constants.toml, `latency_concurrency_quantile`, with its citations):

- Requests arrive as a Poisson process at the busy-hour rate the fleet is sized for (monthly
  requests / hours in the month x `peak_to_average`), split evenly over the replicas.
- By Little's law (Little 1961) the answers in flight on a replica average L = lambda W, where
  W is the time one answer spends on it. Continuous batching serves every answer in flight at
  once, an infinite-server queue, so their number is Poisson with mean lambda W whatever the
  answer-time distribution (the M/G/infinity queue), and an arriving answer sees that time
  average (Poisson arrivals see time averages, Wolff 1982).
- An answer therefore decodes beside itself plus a high quantile (the 99th percentile) of
  that Poisson number, capped at the replica's planned batch (the KV cache and serving_batch).

W grows with the batch (each decode step reads every sequence's KV cache and multiplies the
whole batch), and the batch grows with W, so the batch is the least fixed point of
b -> min(cap, 1 + Q(lambda W(b))), found by iterating from b = 1: the map never decreases, so the
iteration climbs to the fixed point in a few steps. At 50,000 requests a month an answer decodes
nearly alone; at a fleet's busy hour it decodes at the fleet's batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

from app.cost_model.constants import Band, load_constants


def concurrency_quantile() -> float:
    return load_constants().get("latency_concurrency_quantile")


def poisson_cdf(k: int, mean: float) -> float:
    """P(N <= k) for N Poisson with `mean`, summed in log space (no underflow at large means)."""
    if mean <= 0.0:
        return 1.0
    log_mean = math.log(mean)
    return min(1.0, sum(math.exp(i * log_mean - mean - math.lgamma(i + 1)) for i in range(k + 1)))


def poisson_quantile(mean: float, q: float, most: int) -> int:
    """The smallest k with P(N <= k) >= q, or `most` when it is above `most`."""
    if mean <= 0.0:
        return 0
    log_mean, total = math.log(mean), 0.0
    for k in range(most):
        total += math.exp(k * log_mean - mean - math.lgamma(k + 1))
        if total >= q:
            return k
    return most


@cache
def largest_mean(k: int, q: float) -> float:
    """The largest Poisson mean whose q-quantile is at most k: the busiest a replica may be
    while an answer shares its batch with at most k others. The CDF falls as the mean grows,
    so a bisection finds it."""
    low, high = 0.0, float(k + 1)  # the median of Poisson(k + 1) is above k
    while poisson_cdf(k, high) >= q:
        high *= 2
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if poisson_cdf(k, mid) >= q else (low, mid)
        if high - low <= 1e-9 * high:
            break
    return low


def peak_rate(monthly_requests: int, band: Band = Band.expected) -> float:
    """Requests a second in the busy hour the fleet is sized for."""
    c = load_constants()
    seconds = c.get("hours_per_month", band) * 3600
    return monthly_requests / seconds * c.get("peak_to_average", band)


def shared_batch(rate: float, answer_seconds: Callable[[int], float], cap: int) -> int:
    """The batch an answer shares on a replica receiving `rate` requests a second: itself plus
    the quantile of the Poisson number in flight, lambda W(b), at the least fixed point."""
    q, batch = concurrency_quantile(), 1
    while True:
        others = poisson_quantile(rate * answer_seconds(batch), q, cap)
        found = min(cap, 1 + others)
        if found <= batch:
            return batch
        batch = found


def replicas_for_batch(rate: float, answer_seconds: Callable[[int], float], batch: int) -> int:
    """The fewest replicas over which `rate` keeps the shared batch at or below `batch`.

    A replica's shared batch is at most b when b is a pre-fixed point: lambda W(b) / R within the
    largest mean whose quantile is b - 1. W(b) grows more slowly than that mean as b grows (W is
    a fixed part plus a part that grows with b, the mean nearly in proportion to b), so among
    the batches up to `batch` the largest needs the fewest replicas."""
    if rate <= 0.0:
        return 1
    mean = largest_mean(batch - 1, concurrency_quantile())
    return max(1, math.ceil(rate * answer_seconds(batch) / mean))
