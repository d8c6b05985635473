"""A serving line's answer time against the p99 target, and what would meet it when it misses.

A self-hosted fleet is already the cheapest that meets the target where any fleet of the
catalogue does (fleet.py), so a faster GPU kind is never the fix for one: when it
misses, every kind, replica size and fleet was tried. What can still meet it is said as data,
each computed with the same estimate: the first token alone (streaming the answer), shorter
answers (the longest that some fleet of the same model meets, with that fleet), a smaller
model of the catalogue (the largest that some fleet meets, with that fleet). A frontier API
(the status quo) is judged on the same terms from its published speed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from app.cost_model import latency
from app.cost_model.catalogue import GpuSpec, ModelSpec, load_catalogue
from app.cost_model.constants import Band
from app.cost_model.fleet import cheapest_fleet
from app.cost_model.latency import LatencyEstimate
from app.cost_model.self_hosting import (
    SelfHostPlan,
    Traffic,
    answer_seconds,
    latency_tensor_parallel,
    replica_options,
)

FixKind = Literal["faster_gpu", "smaller_model", "shorter_answers", "streaming"]


@dataclass(frozen=True, slots=True)
class LatencyFix:
    """One change that would meet the target, with the expected p99 it gives (for streaming:
    the time to the first token) and, where it needs one, the cheapest fleet that does."""

    kind: FixKind
    p99_ms: float
    model: str | None = None
    gpu: str | None = None
    tensor_parallel: int | None = None
    replicas: int | None = None
    output_tokens: int | None = None
    monthly_usd: float | None = None


@dataclass(frozen=True, slots=True)
class LatencyCheck:
    target_ms: int
    estimate: LatencyEstimate
    meets: bool
    """The expected p99 to the last token is within the target."""
    first_token_meets: bool
    """The expected p99 to the first token is within it: streamed, the reader sees words."""
    fixes: tuple[LatencyFix, ...] = ()
    """What would meet the target; empty when it is met."""


SHORTEST_USEFUL_ANSWER = 32
"""Tokens (about 25 words): an answer cut shorter than this is no fix for a latency target."""


def _checked(
    estimate: LatencyEstimate, target_ms: int, fixes: tuple[LatencyFix, ...]
) -> LatencyCheck:
    fixes = tuple(
        f
        for f in fixes
        if f.kind != "shorter_answers" or (f.output_tokens or 0) >= SHORTEST_USEFUL_ANSWER
    )
    meets = estimate.p99_ms.expected <= target_ms
    first = estimate.first_token_ms.expected <= target_ms
    streaming = (LatencyFix("streaming", estimate.first_token_ms.expected),) if first else ()
    return LatencyCheck(target_ms, estimate, meets, first, () if meets else streaming + fixes)


def _with_fleet(
    kind: FixKind, model: ModelSpec, plan: SelfHostPlan, traffic: Traffic
) -> LatencyFix:
    est = latency.for_plan(model, plan, traffic)
    return LatencyFix(
        kind,
        est.p99_ms.expected,
        model=model.id,
        gpu=plan.gpu,
        tensor_parallel=plan.tensor_parallel,
        replicas=plan.replicas,
        output_tokens=traffic.output_tokens,
        monthly_usd=plan.monthly_usd,
    )


def _timely(
    model: ModelSpec, traffic: Traffic, plan: SelfHostPlan, target: int
) -> SelfHostPlan | None:
    found = cheapest_fleet(model, traffic, plan.copies, Band.expected, plan.adapters, target)
    return found if found is not None and found.meets_target else None


def _longest(fits: Callable[[int], bool], longest: int) -> int:
    """The most output tokens below `longest` that `fits` (0: not even one). Time grows with
    the answer's length, so a bisection finds it."""
    if longest <= 1 or not fits(1):
        return 0
    low, high = 1, longest  # fits(low), not fits(high)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if fits(mid) else (low, mid)
    return low


def _shorter(
    model: ModelSpec, traffic: Traffic, plan: SelfHostPlan, target: int
) -> LatencyFix | None:
    """The longest answer the plan's own fleet serves in time (shorter answers also shorten
    the batch an answer shares); when not even one token does, the longest that any fleet
    does (an answer alone on the replica that answers soonest bounds them all), with the
    cheapest fleet for it."""

    def length(tokens: int) -> Traffic:
        return Traffic(traffic.monthly_requests, traffic.input_tokens, tokens)

    def on_plan(tokens: int) -> bool:
        return latency.plan_p99_ms(model, plan, length(tokens)) <= target

    if tokens := _longest(on_plan, traffic.output_tokens):
        return _with_fleet("shorter_answers", model, plan, length(tokens))
    shapes = [
        (gpu, r.tensor_parallel)
        for gpu in load_catalogue().gpus.values()
        if gpu.datacenter and gpu.auto_choice
        for r in replica_options(model, gpu, traffic)
    ]
    if not shapes:
        return None
    tail = latency.tail_factor()

    def p99(tokens: int, shape: tuple[GpuSpec, int]) -> float:
        gpu, tp = shape
        seconds = answer_seconds(model, gpu, tp, (traffic.input_tokens, tokens), Band.expected, 1)
        return seconds * 1e3 * tail

    fastest = min(shapes, key=lambda s: p99(traffic.output_tokens, s))
    tokens = _longest(lambda n: p99(n, fastest) <= target, traffic.output_tokens)
    found = _timely(model, length(tokens), plan, target) if tokens else None
    return None if found is None else _with_fleet("shorter_answers", model, found, length(tokens))


def _smaller(
    model: ModelSpec, traffic: Traffic, plan: SelfHostPlan, target: int
) -> LatencyFix | None:
    """The largest catalogue model smaller than this one that some fleet serves in time."""
    smaller = [m for m in load_catalogue().plan_models if m.params_b < model.params_b]
    for other in sorted(smaller, key=lambda m: -m.params_b):
        if _soonest_ms(other, traffic) > target:  # no fleet can: skip its search
            continue
        found = _timely(other, traffic, plan, target)
        if found is not None:
            return _with_fleet("smaller_model", other, found, traffic)
    return None


def _soonest_ms(model: ModelSpec, traffic: Traffic) -> float:
    """A bound no fleet of the model beats: an answer alone on a node's worth of the fastest
    GPU (more GPUs per replica add pipeline stages, not speed; fewer are slower)."""
    node = latency_tensor_parallel(1_000_000)
    tokens = (traffic.input_tokens, traffic.output_tokens)
    return (
        latency.tail_factor()
        * 1e3
        * min(
            answer_seconds(model, gpu, node, tokens, Band.expected, 1)
            for gpu in load_catalogue().gpus.values()
            if gpu.datacenter and gpu.auto_choice
        )
    )


@lru_cache(maxsize=1024)
def check_plan(
    model: ModelSpec, plan: SelfHostPlan, traffic: Traffic, target_ms: int
) -> LatencyCheck:
    """A self-hosted line against the target, with what would meet it when it misses."""
    estimate = latency.for_plan(model, plan, traffic)
    if estimate.p99_ms.expected <= target_ms:
        return _checked(estimate, target_ms, ())
    fixes = (_shorter(model, traffic, plan, target_ms), _smaller(model, traffic, plan, target_ms))
    return _checked(estimate, target_ms, tuple(f for f in fixes if f is not None))


def check_api(reference: str, traffic: Traffic, target_ms: int) -> LatencyCheck | None:
    """The frontier API on the same terms, from its published speed: shorter answers are the
    only fix in your hands (besides streaming); None when its speed is not recorded."""
    estimate = latency.api(reference, traffic)
    if estimate is None:
        return None
    speed = latency.api_speeds()[reference]
    tail = latency.tail_factor()
    room = target_ms / tail - speed.first_token_s.expected * 1e3
    tokens = math.floor(room / speed.per_token_ms.expected) if room > 0 else 0
    fixes: tuple[LatencyFix, ...] = ()
    if 0 < tokens < traffic.output_tokens:
        shorter = latency.api(
            reference, Traffic(traffic.monthly_requests, traffic.input_tokens, tokens)
        )
        assert shorter is not None
        fixes = (LatencyFix("shorter_answers", shorter.p99_ms.expected, output_tokens=tokens),)
    return _checked(estimate, target_ms, fixes)


def after_retrieval(check: LatencyCheck) -> LatencyCheck:
    """The same line with the retrieval hop before every answer (latency.after_retrieval),
    judged against the target again; each fix's time carries the hop too."""
    estimate = latency.after_retrieval(check.estimate)
    hop = estimate.p99_ms.expected - check.estimate.p99_ms.expected
    fixes = tuple(replace(f, p99_ms=f.p99_ms + hop) for f in check.fixes if f.kind != "streaming")
    return _checked(estimate, check.target_ms, fixes)
