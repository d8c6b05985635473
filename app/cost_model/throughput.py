"""Training FLOPs and time for one run.

FLOPs per token count the matmuls (2 per weight per token in the forward pass) plus causal
attention (2 * layers * seq * q_dim, half of the dense 4 * l * s * d because of the mask):
full fine-tuning runs the forward, the backward for activations and for weights (3x the
forward, the 6N of Kaplan et al. 2020); LoRA and QLoRA skip the weight gradients of frozen
layers (2x); gradient checkpointing runs the forward once more.

The matmuls reach a share of peak that grows with the model's width (achieved_mfu): the
memory-bound work around them grows with h, the matmuls with h^2. QLoRA runs the same 16-bit
matmuls as LoRA (bitsandbytes dequantises each 4-bit weight to bf16 and hands it to cuBLAS),
so on one GPU its matmuls run only a little below LoRA's utilisation (mfu_qlora). A mixture of
experts multiplies by its active parameters only (moe.py), and dequantises the experts its
micro-batch touches (all of them, in practice). What it
pays on top is the dequantisation itself: every quantised weight is unpacked once per pass
of every micro-batch, whatever the number of tokens in it. That cost
grows with the weights, not with the tokens, so it dominates short micro-batches and fades on
long ones; the flat 1.75x slowdown it replaces could not say that, and put published
standard-stack runs 43-64% too slow (measured_runs.toml, the Qwen and fms-acceleration rows).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.cost_model.bands import traced_cache
from app.cost_model.catalogue import GpuSpec, ModelSpec
from app.cost_model.constants import Band, load_constants
from app.cost_model.methods import Method
from app.cost_model.moe import params_read


@dataclass(frozen=True, slots=True)
class TimeComponent:
    name: str
    hours: float
    assumption: str


@dataclass(frozen=True, slots=True)
class RunTime:
    tokens_trained: float
    tokens_processed: float
    flops_per_token: float
    tokens_per_second: float
    components: tuple[TimeComponent, ...]

    @property
    def hours(self) -> float:
        return sum(c.hours for c in self.components)


def matmul_params(model: ModelSpec) -> float:
    """Parameters a token multiplies by: the active ones (a mixture of experts runs only its
    routed experts; a vision tower is not run on text), less the input embedding lookup."""
    lookup = 0 if model.tied_embeddings else model.vocab_size * model.hidden_size
    return model.text_active_params - lookup


def forward_flops_per_token(model: ModelSpec, seq_len: int) -> float:
    attention = 2.0 * model.layers * seq_len * model.q_dim
    return 2.0 * matmul_params(model) + attention


def passes(method: Method, gradient_checkpointing: bool) -> float:
    """Forward-pass equivalents per training token."""
    base = 3.0 if method is Method.full else 2.0
    return base + (1.0 if gradient_checkpointing else 0.0)


def _mfu(method: Method, band: Band) -> float:
    return load_constants().get(f"mfu_{method.value}", band)


@dataclass(frozen=True, slots=True)
class RunShape:
    """Everything about a run but its length: what the per-token rates depend on."""

    model: ModelSpec
    gpu: GpuSpec
    method: Method
    gpu_count: int
    seq_len: int
    micro_batch: int
    gradient_checkpointing: bool
    trainable_params: float
    eval_examples: int = 200
    packing: bool = False
    """The recipe packs short examples into full sequences (recipe.py): what share of the
    processed tokens is useful follows from it."""
    gradient_accumulation_steps: int = 1


def achieved_mfu(shape: RunShape, band: Band = Band.expected) -> float:
    """The share of peak a run's matmuls reach, rising with the model's width and saturating.

    A block's matmuls cost about 12 h^2 FLOPs a token while its norms, residual adds, rotary
    embedding, gated activation and adapters move memory in proportion to h, so the time they
    add per matmul FLOP falls as 1/h: ceiling * h / (h + half_hidden). A 70B model runs its
    matmuls nearer the ceiling than a 7B one; a flat MFU put large models 30-54% too slow.
    That memory-bound time runs at the GPU's bandwidth, not its tensor-core peak, so
    half_hidden grows with the GPU's FLOPs per byte (an H100 reaches a smaller share of its
    peak than an A100 does of its own).

    QLoRA sharded over GPUs runs at LoRA's utilisation: TRL skips
    prepare_model_for_kbit_training (its fp32 copies of norms, embeddings and head) when the
    4-bit weights are sharded, and fms-acceleration measured QLoRA on 2 GPUs as fast as LoRA.
    """
    method = shape.method
    if method is Method.qlora and shape.gpu_count > 1:
        method = Method.lora
    h = shape.model.hidden_size
    return _mfu(method, band) * h / (h + half_hidden(shape.gpu, band))


def machine_balance(gpu: GpuSpec) -> float:
    """Dense bf16 FLOPs the GPU can do per byte it reads from memory (the roofline's ridge
    point): 153 on an A100 80GB, 295 on an H100 SXM, 419 on an L40S."""
    return gpu.bf16_dense_tflops * 1e12 / (gpu.memory_bandwidth_gbs * 1e9)


def half_hidden(gpu: GpuSpec, band: Band = Band.expected) -> float:
    """The width at which a run reaches half its matmul ceiling on this GPU.

    The work around the matmuls (norms, residual adds, rotary embedding, the gated activation,
    the adapters' dropout and scaling) is memory-bound: its time is bytes over bandwidth, while
    the matmuls' time is FLOPs over peak. Their ratio, h_half / h, was fitted on A100 80GB runs,
    so on another GPU it scales with that GPU's FLOPs per byte over the A100's. An H100 has
    3.2x the A100's tensor-core peak but 1.6x its bandwidth: with the A100's ratio a flat
    share of peak put Llama 3.1 8B LoRA on one H100 37% too fast."""
    c = load_constants()
    reference = c.get("mfu_reference_flops_per_byte", band)
    return c.get("mfu_half_hidden", band) * machine_balance(gpu) / reference


def fsdp_scaling(shape: RunShape, band: Band = Band.expected) -> float:
    """Per-GPU throughput under FSDP relative to one GPU: the loss is the weight all-gathers
    not hidden behind compute, so it shrinks with the bytes gathered (4-bit for QLoRA)."""
    if shape.gpu_count == 1:
        return 1.0
    c = load_constants()
    loss = 1.0 - c.get("multi_gpu_scaling", band)
    if shape.method is Method.qlora:
        loss *= c.get("nf4_bits_per_param", band) / 8 / c.get("frozen_bytes_per_param", band)
    return 1.0 - loss


@dataclass(frozen=True, slots=True)
class RunRates:
    """Seconds per processed token for each busy part, and the fixed hours of one run."""

    padding: float
    flops_per_token: float
    passes: float
    mfu: float
    scaling: float
    compute_s: float
    optimizer_s: float
    dequant_s: float
    setup_h: float
    evaluation: TimeComponent

    @property
    def busy_s(self) -> float:
        return self.compute_s + self.optimizer_s + self.dequant_s

    def hours(self, tokens_trained: float) -> float:
        processed = tokens_trained / self.padding
        return processed * self.busy_s / 3600 + self.setup_h + self.evaluation.hours


@traced_cache(maxsize=8192)
def run_rates(shape: RunShape, band: Band = Band.expected) -> RunRates:
    c = load_constants()
    gpu, method, gpus = shape.gpu, shape.method, shape.gpu_count
    n_passes = passes(method, shape.gradient_checkpointing)
    flops = forward_flops_per_token(shape.model, shape.seq_len) * n_passes
    mfu = achieved_mfu(shape, band)
    scaling = fsdp_scaling(shape, band)
    compute = flops / (gpu.bf16_dense_tflops * 1e12 * mfu * scaling * gpus)
    steps_per_token = 1.0 / (shape.seq_len * shape.micro_batch * gpus)
    bandwidth = gpu.memory_bandwidth_gbs * 1e9 * c.get("memory_bandwidth_efficiency", band)
    optimizer = (
        steps_per_token
        / shape.gradient_accumulation_steps
        * shape.trainable_params
        / gpus
        * c.get("optimizer_bytes_per_param", band)
        / bandwidth
    )
    dequant = 0.0
    if method is Method.qlora:
        model = shape.model
        per_param = c.get("training_dequant_bytes_per_param", band)
        touched = params_read(model, shape.seq_len * shape.micro_batch)
        dq_bytes = (touched - model.embedding_params) * per_param
        dequant = steps_per_token * n_passes * dq_bytes / bandwidth
    return RunRates(
        padding=c.get("packing_efficiency" if shape.packing else "padding_efficiency", band),
        flops_per_token=flops,
        passes=n_passes,
        mfu=mfu,
        scaling=scaling,
        compute_s=compute,
        optimizer_s=optimizer,
        dequant_s=dequant,
        setup_h=c.get("setup_hours", band),
        evaluation=evaluation_time(shape.model, gpu, method, shape.eval_examples, band),
    )


def run_time(shape: RunShape, tokens_trained: float, band: Band = Band.expected) -> RunTime:
    """The run's time with every part named and its assumption spelled out."""
    r = run_rates(shape, band)
    gpu, gpus = shape.gpu, shape.gpu_count
    processed = tokens_trained / r.padding
    steps = processed / (shape.seq_len * shape.micro_batch * gpus)
    components = [
        TimeComponent(
            "compute",
            processed * r.compute_s / 3600,
            f"{processed:,.0f} tokens ({tokens_trained:,.0f} trained / {r.padding:g} padding "
            f"efficiency) x {r.flops_per_token:.3g} FLOPs per token ({r.passes:g} forward-pass "
            f"equivalents) at {r.mfu:.0%} of {gpu.bf16_dense_tflops:g} TFLOPS"
            + (f" on {gpus} GPUs at {r.scaling:.0%} scaling" if gpus > 1 else ""),
        ),
        TimeComponent(
            "optimizer",
            processed * r.optimizer_s / 3600,
            f"{steps / shape.gradient_accumulation_steps:,.0f} AdamW steps over "
            f"{shape.trainable_params / 1e6:,.1f}M trainable parameters, memory-bound",
        ),
    ]
    if shape.method is Method.qlora:
        components.append(
            TimeComponent(
                "dequantisation",
                processed * r.dequant_s / 3600,
                f"{steps:,.0f} micro-batches x {r.passes:g} dequantisations of the 4-bit "
                f"weights, memory-bound at {gpu.memory_bandwidth_gbs:g} GB/s",
            )
        )
    components.append(
        TimeComponent(
            "setup",
            r.setup_h,
            "environment and data, loading"
            + (" and quantising" if shape.method is Method.qlora else "")
            + " the base model, saving checkpoints",
        )
    )
    components.append(r.evaluation)
    return RunTime(
        tokens_trained=tokens_trained,
        tokens_processed=processed,
        flops_per_token=r.flops_per_token,
        tokens_per_second=1.0 / r.busy_s,
        components=tuple(components),
    )


def generation_bytes_per_token(model: ModelSpec, method: Method) -> float:
    """Bytes read per generated token of one stream: the weights it runs through (a mixture of
    experts: its active experts), in bf16, or for a 4-bit model the dequantised copy
    bitsandbytes materialises for every matmul."""
    read = params_read(model, 1)
    if method is Method.qlora:
        dequant = load_constants().get("dequant_bytes_per_param")
        return (read - model.embedding_params) * dequant + model.embedding_params * 2.0
    return read * 2.0


def evaluation_time(
    model: ModelSpec, gpu: GpuSpec, method: Method, examples: int, band: Band = Band.expected
) -> TimeComponent:
    """Scoring the run on the locked test set: generation, one stream at a time, is bound by
    reading the weights once per token."""
    c = load_constants()
    per_token = generation_bytes_per_token(model, method)
    speed = gpu.memory_bandwidth_gbs * 1e9 * c.get("eval_bandwidth_efficiency", band) / per_token
    models = c.get("eval_models", band)
    tokens = examples * c.get("eval_output_tokens", band) * models
    return TimeComponent(
        "evaluation",
        tokens / speed / 3600,
        f"{models:g} models (fine-tuned and baseline) x {examples} test examples x "
        f"{c.get('eval_output_tokens', band):g} tokens at {speed:.0f} tokens/s",
    )
