"""How long one answer takes, so a latency target can be checked against the plan.

An answer is its prompt processed at once (prefill), then one decode step per output token.
The roofline is serving's (`replica_throughput`): prefill is bound by compute at the prefill
MFU of the replica's tensor-parallel GPUs; each decode step reads the weights and the KV cache
of the whole batch once, so it is bound by memory bandwidth. A replica's throughput divides a
step by its batch; one answer waits for every step, so at the planned batch a token costs the
whole step. `tests/test_latency.py` checks that these pieces give back `replica_throughput`'s
requests per second, so the two never drift apart.

A serving plan's answer is estimated at the traffic's real concurrency, not at the replica's
full batch: requests arrive as a Poisson process at the busy-hour rate, and an answer shares
its batch with the 99th percentile of the answers in flight on its replica (Little's law,
arrivals.py), so at low traffic it decodes nearly alone and at a fleet's busy hour at the
fleet's batch. Past a node's GPUs a replica adds pipeline stages, which do not shorten an
answer (`latency_tensor_parallel`).

The mean becomes a p99 through one cited factor (`latency_p99_over_mean`): continuous batching
stalls decoding while other prompts are processed, and queues add the rest of the tail. A
frontier API is not sized here: its time to first token and time per token are published
measurements (data/api_latency.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from app.cost_model.arrivals import peak_rate, shared_batch
from app.cost_model.bands import recording, traced_cache
from app.cost_model.catalogue import GpuSpec, ModelSpec, load_catalogue, read_data
from app.cost_model.constants import Band, load_constants
from app.cost_model.ranges import Range
from app.cost_model.self_hosting import (
    answer_seconds,
    decode_step_seconds,
    latency_tensor_parallel,
    prefill_seconds,
)
from app.cost_model.serving import SelfHostPlan, Traffic, replica_throughput


@dataclass(frozen=True, slots=True)
class LatencyEstimate:
    """One answer's time, in milliseconds, each a low / expected / high range."""

    first_token_ms: Range
    """p99 time to the first token: what a reader of a streamed answer waits for."""
    per_token_ms: Range
    """Mean time per further output token (one decode step)."""
    p99_ms: Range
    """p99 time to the whole answer, its last token included."""
    batch: int | None = None
    """Self-hosted: the answers decoded at once with this one (expected estimate)."""


def tail_factor(band: Band = Band.expected) -> float:
    """The p99 answer time over the mean (`latency_p99_over_mean`)."""
    return load_constants().get("latency_p99_over_mean", band)


@lru_cache(maxsize=4096)
def self_hosted(
    model: ModelSpec, gpu: GpuSpec, tensor_parallel: int, batch: int, traffic: Traffic
) -> LatencyEstimate:
    """An answer on one replica of `tensor_parallel` GPUs decoding `batch` answers at once."""
    return _estimate(model, gpu, tensor_parallel, traffic, lambda _: batch)


def _estimate(
    model: ModelSpec, gpu: GpuSpec, tp: int, traffic: Traffic, batch: Callable[[Band], int]
) -> LatencyEstimate:
    within = latency_tensor_parallel(tp)

    def first(band: Band) -> float:
        return prefill_seconds(model, gpu, within, traffic.input_tokens, band) * 1e3

    def step(band: Band) -> float:
        return decode_step_seconds(model, gpu, within, batch(band), traffic, band) * 1e3

    return LatencyEstimate(
        first_token_ms=Range.of(lambda b: first(b) * tail_factor(b)),
        per_token_ms=Range.of(step),
        p99_ms=Range.of(lambda b: (first(b) + traffic.output_tokens * step(b)) * tail_factor(b)),
        batch=batch(Band.expected),
    )


def _p99_ms(
    model: ModelSpec, gpu: GpuSpec, tensor_parallel: int, batch: int, traffic: Traffic, band: Band
) -> float:
    """`self_hosted`'s p99 under one band: what a search that compares expected times needs,
    without the range's probes."""
    tokens = (traffic.input_tokens, traffic.output_tokens)
    seconds = answer_seconds(model, gpu, tensor_parallel, tokens, band, batch)
    return seconds * 1e3 * tail_factor(band)


@traced_cache(maxsize=4096)
def plan_batch(model: ModelSpec, plan: SelfHostPlan, traffic: Traffic, band: Band) -> int:
    """The batch an answer shares on the plan's replicas at the busy hour (arrivals.py),
    at most the replica's planned batch."""
    gpu = load_catalogue().gpus[plan.gpu]
    tokens = (traffic.input_tokens, traffic.output_tokens)

    def seconds(batch: int) -> float:
        return answer_seconds(model, gpu, plan.tensor_parallel, tokens, band, batch)

    rate = peak_rate(traffic.monthly_requests, band) / plan.replicas
    return shared_batch(rate, seconds, plan.batch)


def for_plan(model: ModelSpec, plan: SelfHostPlan, traffic: Traffic) -> LatencyEstimate:
    """A serving plan's answer time: its GPU, its tensor parallelism, and the batch an answer
    shares at the traffic each of its replicas receives in the busy hour."""
    gpu = load_catalogue().gpus[plan.gpu]
    return _estimate(
        model,
        gpu,
        plan.tensor_parallel,
        traffic,
        lambda band: plan_batch(model, plan, traffic, band),
    )


def plan_p99_ms(model: ModelSpec, plan: SelfHostPlan, traffic: Traffic) -> float:
    """`for_plan(...).p99_ms.expected` without the range's probes, by the same arithmetic:
    what a search over answer lengths compares (its reads, like a range's, stay inside)."""
    gpu = load_catalogue().gpus[plan.gpu]
    within = latency_tensor_parallel(plan.tensor_parallel)
    band = Band.expected
    with recording():
        first = prefill_seconds(model, gpu, within, traffic.input_tokens, band) * 1e3
        batch = plan_batch(model, plan, traffic, band)
        step = decode_step_seconds(model, gpu, within, batch, traffic, band) * 1e3
        return (first + traffic.output_tokens * step) * tail_factor(band)


def on_gpu(
    model: ModelSpec, gpu: GpuSpec, traffic: Traffic, batch: int | None = None
) -> tuple[int, LatencyEstimate] | None:
    """(tensor parallel, answer time) on a GPU, split over as many of them as serving would
    use; at serving's batch, or at `batch`. None when the model fits no replica of it."""
    replica = replica_throughput(model, gpu, traffic)
    if replica is None:
        return None
    tp, planned, _ = replica
    return tp, self_hosted(model, gpu, tp, planned if batch is None else batch, traffic)


def most_output_tokens(
    model: ModelSpec, gpu: GpuSpec, tensor_parallel: int, batch: int, traffic: Traffic, ms: float
) -> int:
    """The longest answer whose expected p99 is within `ms` on this replica (0: not even one
    token). Longer answers only add steps (and KV to read), so the time grows with the length
    and a bisection finds the bound."""

    def fits(tokens: int) -> bool:
        shorter = Traffic(traffic.monthly_requests, traffic.input_tokens, tokens)
        return _p99_ms(model, gpu, tensor_parallel, batch, shorter, Band.expected) <= ms

    if not fits(1):
        return 0
    low, high = 1, max(1, traffic.output_tokens)
    while fits(high):
        high *= 2
        if high > 1_000_000:
            return high
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if fits(mid) else (low, mid)
    return low


API_SPEED_FIRST = "api_first_token_s:"
API_SPEED_STEP = "api_per_token_ms:"
"""An API's published speed as factors: `api_first_token_s:<model>`, `api_per_token_ms:<model>`."""


@dataclass(frozen=True, slots=True)
class ApiSpeed:
    """A frontier API's published speed, with its source."""

    first_token_s: Range
    per_token_ms: Range
    source: str
    read: str


@cache
def api_speeds() -> dict[str, ApiSpeed]:
    doc = read_data("api_latency.toml")
    speeds = {}
    for model, row in doc["models"].items():
        speeds[model] = ApiSpeed(
            Range.factor(
                f"{API_SPEED_FIRST}{model}",
                row["first_token_s_low"],
                row["first_token_s"],
                row["first_token_s_high"],
            ),
            Range.factor(
                f"{API_SPEED_STEP}{model}",
                row["per_token_ms_low"],
                row["per_token_ms"],
                row["per_token_ms_high"],
            ),
            str(row["source"]),
            str(row["read"]),
        )
    return speeds


def api(reference: str, traffic: Traffic) -> LatencyEstimate | None:
    """An API answer from its published speed; None when none is recorded for the model. The
    published figures are medians, so the same tail factor makes them a p99."""
    speed = api_speeds().get(reference)
    if speed is None:
        return None

    def first(band: Band) -> float:
        return speed.first_token_s.at(band) * 1e3

    return LatencyEstimate(
        first_token_ms=Range.of(lambda b: first(b) * tail_factor(b)),
        per_token_ms=speed.per_token_ms,
        p99_ms=Range.of(
            lambda b: (first(b) + traffic.output_tokens * speed.per_token_ms.at(b)) * tail_factor(b)
        ),
    )


def fastest(
    model: ModelSpec, traffic: Traffic, batch: int | None = None
) -> tuple[GpuSpec, int, LatencyEstimate] | None:
    """The datacenter GPU that answers soonest (expected p99), with its tensor parallelism."""
    best: tuple[float, GpuSpec, int, int] | None = None
    for gpu in load_catalogue().gpus.values():
        if not gpu.datacenter or not gpu.auto_choice:
            continue
        replica = replica_throughput(model, gpu, traffic)
        if replica is None:
            continue
        tp, planned, _ = replica
        answers = planned if batch is None else batch
        p99 = _p99_ms(model, gpu, tp, answers, traffic, Band.expected)
        if best is None or p99 < best[0]:
            best = (p99, gpu, tp, answers)
    if best is None:
        return None
    _, gpu, tp, answers = best
    return gpu, tp, self_hosted(model, gpu, tp, answers, traffic)


def after_retrieval(est: LatencyEstimate) -> LatencyEstimate:
    """An answer that waits for retrieval first: the hop (embedding the query, searching the
    vector store; `retrieval_hop_ms`) comes before the first token, so it adds to the time to
    the first token and to the whole answer, band by band. Added to the p99 as it stands, it
    errs long (the two tails rarely coincide), which a latency target can only welcome."""
    c = load_constants()
    hop = Range.of(lambda b: c.get("retrieval_hop_ms", b))
    return LatencyEstimate(est.first_token_ms + hop, est.per_token_ms, est.p99_ms + hop, est.batch)
