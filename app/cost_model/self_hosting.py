"""Self-hosted serving: what one replica of a model on a GPU kind carries, and how fast it answers.

A replica is one copy of the model over `tensor_parallel` GPUs. Its throughput comes from a
roofline: prompt processing is bound by compute; each decode step reads the weights and the
batch's KV cache (memory bandwidth) and multiplies every weight by the whole batch (compute),
and the two overlap poorly, so their times add. Tensor parallelism buys memory (a bigger
batch) at an all-reduce cost. LoRA adapters served unmerged cost throughput (vLLM and LoRAX
report up to half): several tenants' adapters in one batch always pay; one tenant's adapter is
merged into the base (its range's high end keeps it unmerged); a base or fully fine-tuned model
pays nothing. A mixture of experts holds every expert in memory but reads and multiplies only
what its batch routes to (moe.py).

A replica's roofline depends on the model, the GPU, its size, the token shape and the band,
never on the traffic, so it is computed once per shape (cached). Which fleet of replicas
carries the traffic, at what monthly cost, is fleet.py's arithmetic on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.cost_model.bands import traced_cache
from app.cost_model.catalogue import GpuSpec, ModelSpec
from app.cost_model.constants import Band, load_constants
from app.cost_model.moe import resident_weight_bytes, weight_bytes_read

TENSOR_PARALLEL = (1, 2, 4, 8, 16, 32, 64)
"""GPUs per replica: one node holds 8; past that, replicas span nodes (pipeline stages)."""


@dataclass(frozen=True, slots=True)
class Traffic:
    monthly_requests: int
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True, slots=True)
class Replica:
    """One copy of the model over `tensor_parallel` GPUs, as the roofline sizes it."""

    tensor_parallel: int
    batch: int
    requests_per_second: float


@dataclass(frozen=True, slots=True)
class SelfHostPlan:
    gpu: str
    tensor_parallel: int
    replicas: int
    batch: int
    requests_per_second_per_replica: float
    """Already net of any adapter penalty: what one replica carries for this traffic."""
    monthly_usd: float = 0.0
    adapter_throughput_loss: float = 0.0
    """The fraction of throughput the LoRA adapters cost (0 for a base or merged model)."""
    target_ms: int | None = None
    """The p99 target the fleet was sized for; None when sized for cost alone."""
    meets_target: bool | None = None
    """Whether the fleet's expected p99 meets `target_ms`: False when no fleet in the catalogue
    does, and this, the cheapest, was kept; None without a target."""
    copies: int = 1
    adapters: int = 0

    @property
    def gpus(self) -> int:
        return self.tensor_parallel * self.replicas


def seconds_per_month() -> float:
    """The month the traffic is spread over: the same hours a self-hosted GPU is paid for."""
    return load_constants().get("hours_per_month") * 3600


def adapter_throughput_loss(adapters: int, band: Band = Band.expected) -> float:
    """The throughput `adapters` LoRA adapters cost: none for a base or fully fine-tuned model
    (0); for one adapter, none when merged (low, expected) and up to half unmerged (high); for
    several tenants' adapters sharing each batch, a band in every estimate."""
    if adapters <= 0:
        return 0.0
    name = "lora_adapter_throughput_loss" if adapters == 1 else "multi_lora_throughput_loss"
    return load_constants().get(name, band)


def _kv_bytes(model: ModelSpec, traffic: Traffic) -> tuple[float, float]:
    """(a sequence's KV cache at full length, its average over the answer), bytes in bf16."""
    context = traffic.input_tokens + traffic.output_tokens
    kv_per_seq = 2.0 * model.layers * model.kv_dim * 2.0 * context
    return kv_per_seq, kv_per_seq * (traffic.input_tokens + traffic.output_tokens / 2) / context


def tensor_parallel_scaling(gpu: GpuSpec, tp: int, band: Band = Band.expected) -> float:
    """The share of linear speed-up a replica split over `tp` GPUs keeps: a factor per
    doubling, smaller over PCIe than over NVLink."""
    link = "" if gpu.interconnect == "nvlink" else "_pcie"
    per_doubling = load_constants().get(f"serving_tensor_parallel_efficiency{link}", band)
    return float(per_doubling ** math.log2(tp))


def prefill_seconds(
    model: ModelSpec, gpu: GpuSpec, tp: int, input_tokens: int, band: Band = Band.expected
) -> float:
    """The prompt in one pass on a replica: 2 FLOPs per active parameter per token at the
    prefill MFU, less the tensor-parallel loss."""
    flops = tp * gpu.bf16_dense_tflops * 1e12 * load_constants().get("prefill_mfu", band)
    per_token = 2.0 * model.text_active_params
    return input_tokens * per_token / flops / tensor_parallel_scaling(gpu, tp, band)


def decode_step_seconds(
    model: ModelSpec,
    gpu: GpuSpec,
    tp: int,
    batch: int,
    traffic: Traffic,
    band: Band = Band.expected,
) -> float:
    """One decode step of the batch on a replica: the weights the batch's tokens run through
    (a mixture of experts: the experts they touch, moe.py) plus each sequence's KV cache (at
    its average length over the answer) read once at the serving share of the bandwidth, plus
    the matmuls of the whole batch over its active parameters, less the tensor-parallel loss."""
    c = load_constants()
    _, avg_kv = _kv_bytes(model, traffic)
    bandwidth = tp * gpu.memory_bandwidth_gbs * 1e9 * c.get("serving_bandwidth_efficiency", band)
    flops = tp * gpu.bf16_dense_tflops * 1e12 * c.get("prefill_mfu", band)
    weights = weight_bytes_read(model, batch)
    step = (weights + batch * avg_kv) / bandwidth + batch * 2.0 * model.text_active_params / flops
    return step / tensor_parallel_scaling(gpu, tp, band)


def _replica(
    model: ModelSpec, gpu: GpuSpec, traffic: Traffic, tp: int, band: Band, max_batch: int
) -> Replica | None:
    c = load_constants()
    kv_per_seq, _ = _kv_bytes(model, traffic)
    room = tp * gpu.memory_gib * 1024**3 * c.get("kv_cache_fraction", band)
    room -= resident_weight_bytes(model)
    if room < kv_per_seq:
        return None
    batch = max(1, min(max_batch, int(room // kv_per_seq)))
    prefill_s = prefill_seconds(model, gpu, tp, traffic.input_tokens, band)
    step_s = decode_step_seconds(model, gpu, tp, batch, traffic, band)
    return Replica(tp, batch, 1.0 / (prefill_s + traffic.output_tokens * step_s / batch))


@traced_cache(maxsize=4096)
def replica_options(
    model: ModelSpec,
    gpu: GpuSpec,
    traffic: Traffic,
    band: Band = Band.expected,
    max_batch: int | None = None,
) -> tuple[Replica, ...]:
    """Every replica size the model fits on this GPU, smallest first. `max_batch` caps the
    concurrent sequences (the band's serving_batch unless a benchmark sets its own)."""
    cap = int(load_constants().get("serving_batch", band)) if max_batch is None else max_batch
    replicas = (_replica(model, gpu, traffic, tp, band, cap) for tp in TENSOR_PARALLEL)
    return tuple(r for r in replicas if r is not None)


def replica_throughput(
    model: ModelSpec,
    gpu: GpuSpec,
    traffic: Traffic,
    band: Band = Band.expected,
    max_batch: int | None = None,
) -> tuple[int, int, float] | None:
    """(tensor_parallel, batch, requests/s) of the smallest replica the model fits, or None."""
    options = replica_options(model, gpu, traffic, band, max_batch)
    if not options:
        return None
    first = options[0]
    return first.tensor_parallel, first.batch, first.requests_per_second


def latency_tensor_parallel(tp: int) -> int:
    """The GPUs that divide one answer's time: past a node, replicas add pipeline stages,
    which add to an answer's time instead of dividing it."""
    return min(tp, int(load_constants().get("gpus_per_node")))


@traced_cache(maxsize=16384)
def answer_seconds(
    model: ModelSpec, gpu: GpuSpec, tp: int, tokens: tuple[int, int], band: Band, batch: int
) -> float:
    """One answer's mean time on a replica of `tp` GPUs decoding `batch` answers at once:
    its prompt, then one decode step per output token (`tokens`: input, output)."""
    within = latency_tensor_parallel(tp)
    shape = Traffic(0, *tokens)
    prefill = prefill_seconds(model, gpu, within, tokens[0], band)
    return prefill + tokens[1] * decode_step_seconds(model, gpu, within, batch, shape, band)


@traced_cache(maxsize=4096)
def shape_replicas(
    model: ModelSpec, gpu: GpuSpec, tokens: tuple[int, int], band: Band
) -> tuple[Replica, ...]:
    """A shape's replicas: they do not depend on the traffic, so each is computed once."""
    return replica_options(model, gpu, Traffic(0, *tokens), band)
