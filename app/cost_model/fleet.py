"""The self-hosted fleet: how many of which GPU carry the busy hour, at the lowest monthly cost.

The fleet is chosen over every GPU kind *and* every replica size by monthly cost: two one-GPU
replicas can beat one two-GPU replica, or the reverse. With a p99 target the fleet must also
answer in time: the cheapest fleet whose expected p99 at the busy hour meets it (arrivals.py:
the batch an answer shares follows the traffic each replica receives, so more replicas, a
faster GPU or more tensor parallelism all shorten it). When no fleet meets the target the
cheapest is kept, marked as missing it.

Everything here is arithmetic on each shape's replicas (self_hosting.py), computed once per
shape: a replica's roofline never depends on the traffic.
"""

from __future__ import annotations

import math
from functools import lru_cache

from app.cost_model.arrivals import peak_rate, replicas_for_batch
from app.cost_model.bands import Side, note, recording, traced_cache
from app.cost_model.catalogue import GpuSpec, ModelSpec, load_catalogue
from app.cost_model.constants import Band, hourly_usd, load_constants
from app.cost_model.self_hosting import (
    Replica,
    SelfHostPlan,
    Traffic,
    adapter_throughput_loss,
    answer_seconds,
    shape_replicas,
)


@lru_cache(maxsize=8192)
def latency_replicas(
    model: ModelSpec, gpu: GpuSpec, tp: int, traffic: Traffic, target_ms: int
) -> int | None:
    """The fewest replicas of `tp` GPUs whose expected p99 at the busy hour meets the target
    (1 when any fleet that carries the traffic does), or None when not even an answer alone
    does. The largest batch within the target is found by bisection (time grows with it).
    Every band of a fleet's cost prices these replicas, so the factors read here are not the
    cost's (they are not recorded: a probe of one would not move it)."""
    with recording():
        return _latency_replicas(model, gpu, tp, traffic, target_ms)


def _latency_replicas(
    model: ModelSpec, gpu: GpuSpec, tp: int, traffic: Traffic, target_ms: int
) -> int | None:
    tokens = (traffic.input_tokens, traffic.output_tokens)
    replica = next(
        (r for r in shape_replicas(model, gpu, tokens, Band.expected) if r.tensor_parallel == tp),
        None,
    )
    if replica is None:
        return None
    limit = target_ms / 1e3 / load_constants().get("latency_p99_over_mean")

    def seconds(batch: int) -> float:
        return answer_seconds(model, gpu, tp, tokens, Band.expected, batch)

    if seconds(replica.batch) <= limit:
        return 1
    if seconds(1) > limit:
        return None
    low, high = 1, replica.batch  # seconds(low) within the limit, seconds(high) not
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if seconds(mid) <= limit else (low, mid)
    return replicas_for_batch(peak_rate(traffic.monthly_requests), seconds, low)


_FleetKey = tuple[bool, float, int, int]
"""How fleets are ranked: one missing the target last, then monthly cost, GPUs, replica size."""


def cheapest_fleet(
    model: ModelSpec,
    traffic: Traffic,
    copies: int,
    band: Band,
    adapters: int = 0,
    target_ms: int | None = None,
    only_gpu: str | None = None,
) -> SelfHostPlan | None:
    """The datacenter fleet with the lowest monthly cost that carries the busy hour, always
    on, over every GPU kind and replica size; ties go to fewer GPUs, then smaller replicas.
    `copies` full models must each have a replica; `adapters` unmerged LoRA adapters slow
    every replica down. With `target_ms`, only fleets whose expected p99 meets it compete
    (each band prices the replicas the expected estimate needs); when none does, the
    cheapest is kept with `meets_target` False. `only_gpu` sizes the fleet on one GPU kind (a
    provider's dedicated deployment, which a managed service bills by the GPU-hour); otherwise
    only the kinds the catalogue lets the search pick (`auto_choice`) compete.

    Each GPU kind's best fleet is found on its own (`_gpu_fleet`, cached). A probe of one
    factor recomputes only the kinds whose expected fleet read it (a GPU's price: that GPU
    alone) and takes every other kind's expected fleet as it is, without a cache call each:
    a serving range probes about 14 factors, and this loop runs twice for each."""
    fleets = _expected_fleets(model, traffic, copies, adapters, target_ms, only_gpu)
    every_expected = band.factor is None and band.side is Side.expected
    best: tuple[_FleetKey, SelfHostPlan] | None = None
    for gpu, expected, reads in fleets:
        if every_expected or (band.factor is not None and band.factor not in reads):
            note(reads)
            found = expected
        else:
            found = _gpu_fleet(model, gpu, traffic, copies, band, adapters, target_ms)
        if found is not None and (best is None or found[0] < best[0]):
            best = found
    return None if best is None else best[1]


_Found = tuple[_FleetKey, SelfHostPlan] | None


@lru_cache(maxsize=1024)
def _expected_fleets(
    model: ModelSpec,
    traffic: Traffic,
    copies: int,
    adapters: int,
    target_ms: int | None,
    only_gpu: str | None,
) -> tuple[tuple[GpuSpec, _Found, frozenset[str]], ...]:
    """Each GPU kind that competes, its best fleet with every factor expected, and the
    factors that fleet read."""
    fleets = []
    for gpu in load_catalogue().gpus_by_price:
        chosen = gpu.id == only_gpu if only_gpu is not None else gpu.auto_choice
        if not gpu.datacenter or not chosen:
            continue
        with recording() as reads:
            found = _gpu_fleet(model, gpu, traffic, copies, Band.expected, adapters, target_ms)
        fleets.append((gpu, found, frozenset(reads)))
    return tuple(fleets)


@traced_cache(maxsize=8192)
def _gpu_fleet(
    model: ModelSpec,
    gpu: GpuSpec,
    traffic: Traffic,
    copies: int,
    band: Band,
    adapters: int,
    target_ms: int | None,
) -> tuple[_FleetKey, SelfHostPlan] | None:
    """The cheapest fleet of one GPU kind (over its replica sizes) with its rank, or None when
    the model fits no replica of it. Arithmetic on the shape's cached replicas."""
    peak_rps = peak_rate(traffic.monthly_requests, band)
    loss = adapter_throughput_loss(adapters, band)
    tokens = (traffic.input_tokens, traffic.output_tokens)
    options = shape_replicas(model, gpu, tokens, band)
    if not options:
        return None
    price, hours = hourly_usd(gpu, band), load_constants().get("hours_per_month", band)
    best: tuple[_FleetKey, Replica, float, int, bool | None] | None = None
    for option in options:
        rps = option.requests_per_second * (1.0 - loss)
        replicas = max(copies, math.ceil(peak_rps / rps))
        meets = None
        if target_ms is not None:
            timely = latency_replicas(model, gpu, option.tensor_parallel, traffic, target_ms)
            meets = timely is not None
            replicas = max(replicas, timely or 0)
        gpus = replicas * option.tensor_parallel
        usd = gpus * price * hours
        key = (meets is False, usd, gpus, option.tensor_parallel)
        if best is None or key < best[0]:
            best = (key, option, rps, replicas, meets)
    assert best is not None
    key, option, rps, replicas, meets = best
    plan = SelfHostPlan(
        gpu.id,
        option.tensor_parallel,
        replicas,
        option.batch,
        rps,
        key[1],
        loss,
        target_ms,
        meets,
        copies,
        adapters,
    )
    return key, plan
