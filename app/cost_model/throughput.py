"""Training FLOPs and time for one run.

FLOPs per token count the matmuls (2 per weight per token in the forward pass) plus causal
attention (2 * layers * seq * q_dim, half of the dense 4 * l * s * d because of the mask):
full fine-tuning runs the forward, the backward for activations and for weights (3x the
forward, the 6N of Kaplan et al. 2020); LoRA and QLoRA skip the weight gradients of frozen
layers (2x); gradient checkpointing runs the forward once more. QLoRA pays again for
dequantising its 4-bit weights before every matmul, a memory-bound cost modelled from bytes
moved and bandwidth rather than folded into a fudge factor.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.cost_model.catalogue import GpuSpec, ModelSpec
from app.cost_model.constants import Band, load_constants
from app.cost_model.methods import Method


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
    """Parameters that take part in matmuls: all but the input embedding lookup."""
    lookup = 0 if model.tied_embeddings else model.vocab_size * model.hidden_size
    return model.params - lookup


def forward_flops_per_token(model: ModelSpec, seq_len: int) -> float:
    attention = 2.0 * model.layers * seq_len * model.q_dim
    return 2.0 * matmul_params(model) + attention


def passes(method: Method, gradient_checkpointing: bool) -> float:
    """Forward-pass equivalents per training token."""
    base = 3.0 if method is Method.full else 2.0
    return base + (1.0 if gradient_checkpointing else 0.0)


def _mfu(method: Method, band: Band) -> float:
    return load_constants().get(f"mfu_{method.value}", band)


def run_time(
    model: ModelSpec,
    gpu: GpuSpec,
    method: Method,
    *,
    gpu_count: int,
    seq_len: int,
    micro_batch: int,
    gradient_checkpointing: bool,
    examples: int,
    tokens_per_example: int,
    epochs: float,
    trainable_params: float = 0.0,
    eval_examples: int = 200,
    band: Band = Band.expected,
) -> RunTime:
    c = load_constants()
    tokens_trained = float(examples) * tokens_per_example * epochs
    padding = c.get("padding_efficiency", band)
    processed = tokens_trained / padding
    n_passes = passes(method, gradient_checkpointing)
    flops = forward_flops_per_token(model, seq_len) * n_passes
    mfu = _mfu(method, band)
    scaling = c.get("multi_gpu_scaling", band) if gpu_count > 1 else 1.0
    rate = gpu.bf16_dense_tflops * 1e12 * mfu * scaling * gpu_count
    compute_s = processed * flops / rate
    components = [
        TimeComponent(
            "compute",
            compute_s / 3600,
            f"{processed:,.0f} tokens ({tokens_trained:,.0f} trained / {padding:g} padding "
            f"efficiency) x {flops:.3g} FLOPs per token ({n_passes:g} forward-pass equivalents) "
            f"at {mfu:.0%} of {gpu.bf16_dense_tflops:g} TFLOPS"
            + (f" on {gpu_count} GPUs at {scaling:.0%} scaling" if gpu_count > 1 else ""),
        )
    ]
    busy_s = compute_s
    steps_per_gpu = processed / (seq_len * micro_batch * gpu_count)
    bandwidth = gpu.memory_bandwidth_gbs * 1e9 * c.get("memory_bandwidth_efficiency", band)
    optimizer_s = (
        steps_per_gpu
        * trainable_params
        / gpu_count
        * c.get("optimizer_bytes_per_param", band)
        / bandwidth
    )
    busy_s += optimizer_s
    components.append(
        TimeComponent(
            "optimizer",
            optimizer_s / 3600,
            f"{steps_per_gpu:,.0f} AdamW steps over {trainable_params / 1e6:,.1f}M trainable "
            "parameters, memory-bound",
        )
    )
    if method is Method.qlora:
        dq_bytes = (model.params - model.embedding_params) * c.get("dequant_bytes_per_param", band)
        dequant_s = steps_per_gpu * n_passes * dq_bytes / bandwidth
        busy_s += dequant_s
        components.append(
            TimeComponent(
                "dequantisation",
                dequant_s / 3600,
                f"{steps_per_gpu:,.0f} steps x {n_passes:g} dequantisations of the 4-bit "
                f"weights, memory-bound at {gpu.memory_bandwidth_gbs:g} GB/s",
            )
        )
    components.append(
        TimeComponent(
            "setup",
            c.get("setup_hours", band),
            "environment and data, loading"
            + (" and quantising" if method is Method.qlora else "")
            + " the base model, saving checkpoints",
        )
    )
    components.append(evaluation_time(model, gpu, method, eval_examples, band))
    return RunTime(
        tokens_trained=tokens_trained,
        tokens_processed=processed,
        flops_per_token=flops,
        tokens_per_second=processed / busy_s if busy_s > 0 else 0.0,
        components=tuple(components),
    )


def generation_bytes_per_token(model: ModelSpec, method: Method) -> float:
    """Bytes read per generated token: bf16 weights, or for a 4-bit model the dequantised copy
    bitsandbytes materialises for every matmul."""
    if method is Method.qlora:
        dequant = load_constants().get("dequant_bytes_per_param")
        return (model.params - model.embedding_params) * dequant + model.embedding_params * 2.0
    return model.params * 2.0


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
