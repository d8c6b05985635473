"""One training estimate: memory, GPUs needed, time and dollars, for a run and a programme.

The same function answers POST /api/v1/estimates/training, fills the recommendation's cost
block and decides the engine's budget rule, so the three can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from app.cost_model.catalogue import GpuSpec, ModelSpec
from app.cost_model.constants import Band, load_constants
from app.cost_model.memory import MemoryEstimate, lora_params, training_memory, usable_gib
from app.cost_model.methods import LORA_TARGETS, Method, Precision
from app.cost_model.ranges import Range
from app.cost_model.throughput import RunTime, run_time

GPU_COUNTS = (1, 2, 4, 8, 16, 32, 64)
"""Data-parallel sizes tried, in order: one node holds 8 GPUs, larger runs take whole nodes."""
MICRO_BATCHES = (2, 1)
"""Micro-batches tried when none is given: 2 sequences is the common recipe default
(torchtune's single-device LoRA configs, Unsloth's notebooks, axolotl's examples), and
practitioners halve it (raising gradient accumulation) before they add GPUs."""

DEFAULT_SEQ_LEN = 2048
DEFAULT_LORA_RANK = 16
DEFAULT_EXPERIMENTS = 20


@dataclass(frozen=True, slots=True)
class TrainingRequest:
    method: Method
    model: ModelSpec
    gpu: GpuSpec
    seq_len: int = DEFAULT_SEQ_LEN
    micro_batch: int | None = None
    gradient_checkpointing: bool = True
    lora_rank: int = DEFAULT_LORA_RANK
    lora_targets: tuple[str, ...] = LORA_TARGETS
    precision: Precision = Precision.mixed
    examples: int = 1000
    tokens_per_example: int = 1000
    epochs: float | None = None
    gpu_count: int | None = None
    experiments: int = DEFAULT_EXPERIMENTS
    tenant_runs: int = 0
    """Extra runs after the search: one final run for each further tenant's adapter."""
    eval_examples: int = 200


@dataclass(frozen=True, slots=True)
class TrainingEstimate:
    request: TrainingRequest
    micro_batch: int
    epochs: float
    single_gpu_memory: MemoryEstimate
    per_gpu_memory: MemoryEstimate
    peak_memory_gib: Range
    fits_gpu: bool
    gpu_count: int
    fits_gpu_count: bool
    run: RunTime
    gpu_hours_per_experiment: Range
    per_experiment_usd: Range
    total_usd: Range
    assumptions: tuple[tuple[str, str], ...] = field(default=())

    @property
    def runs(self) -> int:
        return self.request.experiments + self.request.tenant_runs


def _memory(req: TrainingRequest, micro_batch: int, gpus: int, band: Band) -> MemoryEstimate:
    return training_memory(
        req.model,
        req.method,
        seq_len=req.seq_len,
        micro_batch=micro_batch,
        gradient_checkpointing=req.gradient_checkpointing,
        lora_rank=req.lora_rank,
        lora_targets=req.lora_targets,
        precision=req.precision,
        gpu_count=gpus,
        band=band,
    )


def _fits(req: TrainingRequest, micro_batch: int, gpus: int) -> bool:
    return _memory(req, micro_batch, gpus, Band.expected).peak_gib <= usable_gib(req.gpu.memory_gib)


def _layout(req: TrainingRequest) -> tuple[int, int]:
    """Pick (micro_batch, gpu_count): given values are kept, missing ones are the smallest fit."""
    batches = (req.micro_batch,) if req.micro_batch is not None else MICRO_BATCHES
    counts = (req.gpu_count,) if req.gpu_count is not None else GPU_COUNTS
    for gpus in counts:
        for mb in batches:
            if _fits(req, mb, gpus):
                return mb, gpus
    return batches[-1], counts[-1]


def _run(req: TrainingRequest, mb: int, gpus: int, epochs: float, band: Band) -> RunTime:
    return run_time(
        req.model,
        req.gpu,
        req.method,
        gpu_count=gpus,
        seq_len=req.seq_len,
        micro_batch=mb,
        gradient_checkpointing=req.gradient_checkpointing,
        examples=req.examples,
        tokens_per_example=req.tokens_per_example,
        epochs=epochs,
        trainable_params=_trainable(req),
        eval_examples=req.eval_examples,
        band=band,
    )


def _trainable(req: TrainingRequest) -> float:
    if req.method is Method.full:
        return req.model.params
    return float(lora_params(req.model, req.lora_rank, req.lora_targets))


def _price(gpu: GpuSpec, band: Band) -> float:
    if band is Band.low:
        return gpu.usd_per_hour_low
    if band is Band.high:
        return gpu.usd_per_hour_high
    return gpu.usd_per_hour


@lru_cache(maxsize=4096)
def estimate_training(req: TrainingRequest) -> TrainingEstimate:
    constants = load_constants()
    epochs = req.epochs if req.epochs is not None else constants.get("epochs")
    mb, gpus = _layout(req)
    single = _memory(req, mb, 1, Band.expected)
    per_gpu = _memory(req, mb, gpus, Band.expected) if gpus > 1 else single
    runs = {band: _run(req, mb, gpus, epochs, band) for band in Band}

    def gpu_hours(band: Band) -> float:
        return runs[band].hours * gpus

    hours = Range.of(gpu_hours)
    per_exp = Range.of(lambda b: gpu_hours(b) * _price(req.gpu, b))
    total = per_exp.scale(req.experiments + req.tenant_runs)
    return TrainingEstimate(
        request=req,
        micro_batch=mb,
        epochs=epochs,
        single_gpu_memory=single,
        per_gpu_memory=per_gpu,
        peak_memory_gib=Range.of(lambda b: _memory(req, mb, 1, b).peak_gib),
        fits_gpu=single.peak_gib <= usable_gib(req.gpu.memory_gib),
        gpu_count=gpus,
        fits_gpu_count=per_gpu.peak_gib <= usable_gib(req.gpu.memory_gib),
        run=runs[Band.expected],
        gpu_hours_per_experiment=hours,
        per_experiment_usd=per_exp,
        total_usd=total,
        assumptions=(
            ("epochs", f"{epochs:g} passes over {req.examples:,} examples"),
            ("seq_len", f"{req.seq_len} tokens per packed sequence"),
            ("micro_batch", f"{mb} sequences per GPU per step"),
            (
                "gpu_price",
                f"${req.gpu.usd_per_hour:g}/hour ({req.gpu.price_source}, {req.gpu.price_as_of})",
            ),
        ),
    )
