"""One training estimate: memory, GPUs needed, time and dollars, for a run and a programme.

The same function answers POST /api/v1/estimates/training, fills the recommendation's cost
block and decides the engine's budget rule, so the three can never disagree. Everything that
does not depend on the run's length (memory, layout, per-token rates) is computed once per
shape and cached, so asking for another dataset size is a few multiplications.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from app.cost_model.band_rates import band_rates
from app.cost_model.cache_sizes import PER_REQUEST_RUNS
from app.cost_model.catalogue import GpuSpec, ModelSpec
from app.cost_model.constants import Band, hourly_usd, load_constants
from app.cost_model.memory import MemoryEstimate, lora_params, training_memory, usable_gib
from app.cost_model.methods import (
    LORA_TARGETS,
    Method,
    Precision,
    Stack,
    pages_optimizer_by_default,
)
from app.cost_model.ranges import Range
from app.cost_model.throughput import RunRates, RunShape, RunTime, run_rates, run_time

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
    packing: bool = False
    """Short examples share a sequence (the recipe packs them): the useful share of processed
    tokens is then `packing_efficiency`, else `padding_efficiency`."""
    micro_batch: int | None = None
    gradient_accumulation_steps: int = 1
    """Micro-batches per optimiser step: the optimiser's memory traffic is paid once a step."""
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
    """Extra runs after the search: a few bounded runs for each further tenant's adapter."""
    tenant_evaluations: int = 0
    """Evaluations after the search: each further tenant's locked test set scored on its
    chosen adapter and the base model, priced as a run that trains nothing."""
    eval_examples: int = 200
    """Test examples each run is scored on: the recommendation passes its plan's locked test
    set; 200 is the top of the seed's 100 to 200."""
    stack: Stack = Stack.peft
    """The training code: what it keeps on the GPU in which precision (stacks.toml)."""
    paged_optimizer: bool | None = None
    """Optimizer states in unified memory, paged to CPU RAM under pressure; default: QLoRA's
    recipe pages them, LoRA and full fine-tuning do not."""

    @property
    def pages_optimizer(self) -> bool:
        if self.paged_optimizer is not None:
            return self.paged_optimizer
        return pages_optimizer_by_default(self.method)


@dataclass(frozen=True, slots=True)
class MemoryShape:
    """What memory depends on: the request without its length or programme."""

    method: Method
    model: ModelSpec
    gpu: GpuSpec
    seq_len: int
    micro_batch: int | None
    gradient_checkpointing: bool
    lora_rank: int
    lora_targets: tuple[str, ...]
    precision: Precision
    gpu_count: int | None
    stack: Stack = Stack.peft
    paged_optimizer: bool = False

    @classmethod
    def of(cls, req: TrainingRequest) -> MemoryShape:
        return cls(
            req.method,
            req.model,
            req.gpu,
            req.seq_len,
            req.micro_batch,
            req.gradient_checkpointing,
            req.lora_rank,
            req.lora_targets,
            req.precision,
            req.gpu_count,
            req.stack,
            req.pages_optimizer,
        )

    def memory(self, micro_batch: int, gpus: int, band: Band = Band.expected) -> MemoryEstimate:
        return training_memory(
            self.model,
            self.method,
            seq_len=self.seq_len,
            micro_batch=micro_batch,
            gradient_checkpointing=self.gradient_checkpointing,
            lora_rank=self.lora_rank,
            lora_targets=self.lora_targets,
            precision=self.precision,
            gpu_count=gpus,
            band=band,
            stack=self.stack,
            paged_optimizer=self.paged_optimizer,
        )


@dataclass(frozen=True, slots=True)
class Layout:
    micro_batch: int
    gpu_count: int
    single_gpu_memory: MemoryEstimate
    per_gpu_memory: MemoryEstimate
    peak_memory_gib: Range
    fits_gpu: bool
    fits_gpu_count: bool


@lru_cache(maxsize=4096)
def layout(shape: MemoryShape) -> Layout:
    """Pick (micro_batch, gpu_count): given values are kept, missing ones are the smallest fit."""
    usable = usable_gib(shape.gpu.memory_gib)
    batches = (shape.micro_batch,) if shape.micro_batch is not None else MICRO_BATCHES
    counts = (shape.gpu_count,) if shape.gpu_count is not None else GPU_COUNTS
    chosen = next(
        (
            (mb, gpus)
            for gpus in counts
            for mb in batches
            if shape.memory(mb, gpus).peak_gib <= usable
        ),
        (batches[-1], counts[-1]),
    )
    mb, gpus = chosen
    single = shape.memory(mb, 1)
    per_gpu = shape.memory(mb, gpus) if gpus > 1 else single
    return Layout(
        micro_batch=mb,
        gpu_count=gpus,
        single_gpu_memory=single,
        per_gpu_memory=per_gpu,
        peak_memory_gib=Range.of(lambda b: shape.memory(mb, 1, b).peak_gib),
        fits_gpu=single.peak_gib <= usable,
        fits_gpu_count=per_gpu.peak_gib <= usable,
    )


def _trainable(req: TrainingRequest) -> float:
    if req.method is Method.full:
        return req.model.params
    return float(lora_params(req.model, req.lora_rank, req.lora_targets))


@dataclass(frozen=True)
class TrainingEstimate:
    request: TrainingRequest
    layout: Layout
    epochs: float
    shape: RunShape

    @property
    def micro_batch(self) -> int:
        return self.layout.micro_batch

    @property
    def gpu_count(self) -> int:
        return self.layout.gpu_count

    @property
    def fits_gpu(self) -> bool:
        return self.layout.fits_gpu

    @property
    def fits_gpu_count(self) -> bool:
        return self.layout.fits_gpu_count

    @property
    def single_gpu_memory(self) -> MemoryEstimate:
        return self.layout.single_gpu_memory

    @property
    def per_gpu_memory(self) -> MemoryEstimate:
        return self.layout.per_gpu_memory

    @property
    def peak_memory_gib(self) -> Range:
        return self.layout.peak_memory_gib

    @property
    def runs(self) -> int:
        return self.request.experiments + self.request.tenant_runs

    @property
    def tokens_trained(self) -> float:
        req = self.request
        return float(req.examples) * req.tokens_per_example * self.epochs

    def _gpu_hours(self, band: Band) -> float:
        return run_rates(self.shape, band).hours(self.tokens_trained) * self.gpu_count

    def _run_hours(self, rates: RunRates) -> float:
        return rates.hours(self.tokens_trained) * self.gpu_count

    @cached_property
    def gpu_hours_per_experiment(self) -> Range:
        """`Range.of(self._gpu_hours)`, on the shape's rates under each band (band_rates.py)."""
        return band_rates(self.shape).hours_range(self._run_hours)

    @cached_property
    def per_experiment_usd(self) -> Range:
        """`Range.of` the hours times the hourly price, on the shape's rates and prices."""
        return band_rates(self.shape).usd_range(self._run_hours)

    @cached_property
    def per_experiment_expected_usd(self) -> float:
        """The expected cost alone: what GPU choice and the budget rule compare, cheaply."""
        return self._gpu_hours(Band.expected) * self.request.gpu.usd_per_hour

    def _evaluation_usd(self, band: Band) -> float:
        """A run that trains nothing: loading the model and scoring the test set."""
        hours = run_rates(self.shape, band).hours(0.0) * self.gpu_count
        return hours * hourly_usd(self.request.gpu, band)

    @cached_property
    def per_evaluation_usd(self) -> Range:
        """One further tenant's own evaluation (`tenant_evaluations`)."""
        gpus = self.gpu_count
        return band_rates(self.shape).usd_range(lambda rates: rates.hours(0.0) * gpus)

    @property
    def total_expected_usd(self) -> float:
        runs = self.per_experiment_expected_usd * self.runs
        evaluations = self.request.tenant_evaluations
        if not evaluations:
            return runs
        return runs + self._evaluation_usd(Band.expected) * evaluations

    @cached_property
    def total_usd(self) -> Range:
        runs = self.per_experiment_usd.scale(self.runs)
        evaluations = self.request.tenant_evaluations
        return runs + self.per_evaluation_usd.scale(evaluations) if evaluations else runs

    @cached_property
    def run(self) -> RunTime:
        return run_time(self.shape, self.tokens_trained)

    @property
    def tokens_per_second(self) -> float:
        """Training throughput: the same figure as `run`'s, without writing out its parts."""
        return 1.0 / run_rates(self.shape, Band.expected).busy_s

    @property
    def assumptions(self) -> tuple[tuple[str, str], ...]:
        req = self.request
        return (
            ("epochs", f"{self.epochs:g} passes over {req.examples:,} examples"),
            (
                "seq_len",
                f"{req.seq_len} tokens per sequence, "
                + ("short examples packed together" if req.packing else "padded per micro-batch"),
            ),
            ("micro_batch", f"{self.micro_batch} sequences per GPU per step"),
            (
                "gpu_price",
                f"${req.gpu.usd_per_hour:g}/hour ({req.gpu.price_source}, {req.gpu.price_as_of})",
            ),
        )


@lru_cache(maxsize=PER_REQUEST_RUNS)
def estimate_training(req: TrainingRequest) -> TrainingEstimate:
    epochs = req.epochs if req.epochs is not None else load_constants().get("epochs")
    lay = layout(MemoryShape.of(req))
    shape = RunShape(
        model=req.model,
        gpu=req.gpu,
        method=req.method,
        gpu_count=lay.gpu_count,
        seq_len=req.seq_len,
        micro_batch=lay.micro_batch,
        gradient_checkpointing=req.gradient_checkpointing,
        trainable_params=_trainable(req),
        packing=req.packing,
        eval_examples=req.eval_examples,
    )
    return TrainingEstimate(request=req, layout=lay, epochs=epochs, shape=shape)


@dataclass(frozen=True, slots=True)
class CostLine:
    """A run's expected cost as a function of the tokens it trains, for one request shape.

    Memory, layout and the per-token rates depend only on the shape, so pricing another
    dataset size (what GPU choice, the budget rule and the counterfactual search do for every
    answer they try) is a few multiplications. The arithmetic is TrainingEstimate's own, so a
    line and the estimate built from the same request agree to the last bit.
    """

    request: TrainingRequest
    layout: Layout
    rates: RunRates
    epochs: float

    @property
    def gpu(self) -> GpuSpec:
        return self.request.gpu

    @property
    def fits_gpu(self) -> bool:
        return self.layout.fits_gpu

    def tokens(self, examples: int, tokens_per_example: int) -> float:
        return float(examples) * tokens_per_example * self.epochs

    def per_run_usd(self, tokens: float) -> float:
        return self.rates.hours(tokens) * self.layout.gpu_count * self.request.gpu.usd_per_hour

    @property
    def evaluation_usd(self) -> float:
        """A run that trains nothing (loading the model, scoring the test set): a further
        tenant's own evaluation, as `TrainingEstimate.per_evaluation_usd` prices it."""
        return self.per_run_usd(0.0)

    def slope_and_fixed(self) -> tuple[float, float]:
        """Dollars per trained token and fixed dollars of one run (for pruning and inverting)."""
        r = self.rates
        per_hour = self.layout.gpu_count * self.request.gpu.usd_per_hour
        return r.busy_s / r.padding / 3600 * per_hour, (r.setup_h + r.evaluation.hours) * per_hour


@lru_cache(maxsize=PER_REQUEST_RUNS)
def cost_line(req: TrainingRequest) -> CostLine:
    """The line of `req`'s shape (its examples, experiments and tenant runs are ignored)."""
    est = estimate_training(req)
    return CostLine(req, est.layout, run_rates(est.shape), est.epochs)
