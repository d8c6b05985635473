"""Peak GPU memory of one training run, from the model's real architecture.

Every term is a named component in the breakdown so an ML lead can check it line by line.
The activation accounting follows Korthikanti et al. 2022 (section 4.1), adapted to the
Llama-style block: RMSNorm, grouped-query attention through FlashAttention (no s x s matrix
is stored), and a gated MLP. With gradient checkpointing each block keeps only its input and
one block's activations are alive again during its recomputation.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.cost_model.catalogue import ModelSpec
from app.cost_model.constants import Band, load_constants
from app.cost_model.methods import LORA_TARGETS, Method, Precision, Stack
from app.cost_model.moe import params_text
from app.cost_model.stacks import StackSpec, stack_spec

GIB = 1024**3


@dataclass(frozen=True, slots=True)
class MemoryComponent:
    name: str
    gib: float
    assumption: str


@dataclass(frozen=True, slots=True)
class MemoryEstimate:
    components: tuple[MemoryComponent, ...]

    @property
    def peak_gib(self) -> float:
        return sum(c.gib for c in self.components)


def module_shapes(model: ModelSpec) -> dict[str, tuple[int, int]]:
    """(in, out) features of each linear layer of a Llama-style block."""
    h, q, kv, f = model.hidden_size, model.q_dim, model.kv_dim, model.ffn_size
    return {
        "q_proj": (h, q),
        "k_proj": (h, kv),
        "v_proj": (h, kv),
        "o_proj": (q, h),
        "gate_proj": (h, f),
        "up_proj": (h, f),
        "down_proj": (f, h),
    }


MLP_MODULES = ("gate_proj", "up_proj", "down_proj")
"""The gated MLP's projections: in a mixture-of-experts layer, every expert has its own."""


def linear_params_per_layer(model: ModelSpec) -> int:
    """Weights of one block's linear layers: attention, the MLP (each routed expert's, for a
    mixture of experts), the router and any shared expert."""
    shapes = module_shapes(model)
    copies = model.experts if model.is_moe else 1
    total = sum(i * o * (copies if name in MLP_MODULES else 1) for name, (i, o) in shapes.items())
    router = model.hidden_size * model.experts
    shared = 3 * model.hidden_size * model.shared_expert_ffn_size
    return total + router + shared


def lora_params_per_layer(
    model: ModelSpec, rank: int, targets: tuple[str, ...] = LORA_TARGETS
) -> int:
    """Trainable parameters of rank-r adapters (A: in x r, B: r x out) on one block.

    On a mixture of experts an MLP target is adapted in every expert and in the shared expert,
    as PEFT's target_modules and Unsloth's MoE recipes do; the router is left frozen (Unsloth
    disables router fine-tuning by default for stability)."""
    shapes = module_shapes(model)
    h, shared = model.hidden_size, model.shared_expert_ffn_size
    total = 0
    for t in targets:
        i, o = shapes[t]
        if t in MLP_MODULES and model.is_moe:
            total += rank * (i + o) * model.experts + (rank * (h + shared) if shared else 0)
        else:
            total += rank * (i + o)
    return total


def lora_params(model: ModelSpec, rank: int, targets: tuple[str, ...] = LORA_TARGETS) -> int:
    return lora_params_per_layer(model, rank, targets) * model.layers


def activation_elements_per_token_per_layer(model: ModelSpec) -> int:
    """Saved activations of one block, per token, in elements.

    Two norm inputs (2h); the attention input (h), the rotated Q (q), K and V (2 kv) and the
    attention output (q) that FlashAttention and the output projection keep; the MLP input
    (h), gate and up projections, the activated gate and their product (4 f). In a mixture of
    experts a token keeps those four for each expert it is routed to and for the shared expert,
    plus its router logits (one per expert).
    """
    h, q, kv, f = model.hidden_size, model.q_dim, model.kv_dim, model.ffn_size
    mlp = 4 * f * max(1, model.experts_per_token) + 4 * model.shared_expert_ffn_size
    return 2 * h + (h + 2 * q + 2 * kv) + (h + mlp + model.experts)


def unquantised_params(model: ModelSpec, spec: StackSpec) -> int:
    """Weights QLoRA leaves in 16 or 32 bits: the input embedding (a lookup, not a matmul) and
    the LM head, unless the stack quantises the head too (torchtune) and it is not tied."""
    if spec.quantised_head and not model.tied_embeddings:
        return model.vocab_size * model.hidden_size
    return model.embedding_params


def _weights(
    model: ModelSpec,
    method: Method,
    precision: Precision,
    shards: int,
    band: Band,
    spec: StackSpec,
) -> list[MemoryComponent]:
    c = load_constants()
    n = model.params
    if method is Method.full:
        mixed = precision is Precision.mixed
        per = c.get("full_bytes_per_param" if mixed else "bf16_full_bytes_per_param", band)
        what = (
            "fp32 master weights, bf16 weights and gradients, AdamW moments"
            if mixed
            else "bf16 weights, gradients and AdamW moments"
        )
        return [
            MemoryComponent(
                "weights_gradients_optimizer",
                n * per / shards / GIB,
                f"{per:g} bytes per parameter ({what}) over {params_text(model)}"
                + (f", sharded over {shards} GPUs" if shards > 1 else ""),
            )
        ]
    if method is Method.lora:
        per = c.get("frozen_bytes_per_param", band)
        return [
            MemoryComponent(
                "frozen_weights",
                n * per / shards / GIB,
                f"{per:g} bytes per frozen bf16 parameter"
                + (f", every expert resident ({params_text(model)})" if model.is_moe else "")
                + (f", sharded over {shards} GPUs" if shards > 1 else ""),
            )
        ]
    bits = c.get("nf4_bits_per_param", band)
    unq = spec.get("qlora_unquantised_bytes_per_param", band)
    kept = unquantised_params(model, spec)
    quantised = n - kept
    what = "embeddings and LM head" if kept == model.embedding_params else "input embedding"
    return [
        MemoryComponent(
            "quantised_weights",
            quantised * bits / 8 / shards / GIB,
            f"{bits:g} bits per parameter: NF4 with double quantisation on every linear layer"
            + (" and the LM head" if kept != model.embedding_params else "")
            + (f", every expert resident ({params_text(model)})" if model.is_moe else ""),
        ),
        MemoryComponent(
            "unquantised_weights",
            kept * unq / shards / GIB,
            f"{what} ({kept / 1e9:.2f}B parameters) kept unquantised at {unq:g} bytes",
        ),
    ]


def training_memory(
    model: ModelSpec,
    method: Method,
    *,
    seq_len: int,
    micro_batch: int,
    gradient_checkpointing: bool,
    lora_rank: int,
    lora_targets: tuple[str, ...] = LORA_TARGETS,
    precision: Precision = Precision.mixed,
    gpu_count: int = 1,
    band: Band = Band.expected,
    stack: Stack = Stack.peft,
    paged_optimizer: bool = False,
) -> MemoryEstimate:
    """Peak memory per GPU; states are sharded (FSDP / ZeRO-3) when gpu_count > 1.

    `stack` says what the training code keeps in which precision (stacks.py); with
    `paged_optimizer` the adapters' optimizer states live in unified memory, which the driver
    evicts to CPU RAM under pressure, so they are not part of the peak the GPU must hold."""
    c = load_constants()
    spec = stack_spec(stack)
    parts = _weights(model, method, precision, gpu_count, band, spec)
    if gpu_count > 1:
        blocks = c.get("fsdp_prefetch_blocks", band)
        block_params = (model.params - model.embedding_params) / model.layers
        parts.append(
            MemoryComponent(
                "sharding_buffers",
                blocks * block_params * 2 / GIB,
                f"{blocks:g} blocks' bf16 parameters gathered at once by FSDP",
            )
        )
    if method is not Method.full:
        parts.append(
            _adapters(model, lora_rank, lora_targets, spec, paged_optimizer, gpu_count, band)
        )
    tokens = seq_len * micro_batch
    act_bytes = c.get("activation_bytes_per_element", band)
    per_layer = activation_elements_per_token_per_layer(model) * act_bytes * tokens
    if gradient_checkpointing:
        kept = model.layers * model.hidden_size * act_bytes * tokens + per_layer
        note = (
            f"gradient checkpointing: each of {model.layers} blocks keeps its input, one block "
            f"is recomputed at a time ({tokens} tokens per micro-batch)"
        )
    else:
        kept = model.layers * per_layer
        note = f"all {model.layers} blocks keep their activations ({tokens} tokens per micro-batch)"
    parts.append(MemoryComponent("activations", kept / GIB, note))
    logit_bytes = spec.get("logit_bytes_per_element", band)
    parts.append(
        MemoryComponent(
            "logits",
            tokens * model.vocab_size * logit_bytes / GIB,
            f"{tokens} tokens x {model.vocab_size} vocabulary x {logit_bytes:g} bytes "
            + (
                "(bf16 logits, their fp32 copy and its gradient)"
                if not spec.sets("logit_bytes_per_element")
                else f"(the loss as {spec.name} computes it)"
            ),
        )
    )
    workspace = c.get("workspace_gib", band)
    parts.append(
        MemoryComponent("framework_overhead", workspace, "cuBLAS workspaces, allocator rounding")
    )
    return MemoryEstimate(tuple(parts))


def _adapters(
    model: ModelSpec,
    rank: int,
    targets: tuple[str, ...],
    spec: StackSpec,
    paged: bool,
    shards: int,
    band: Band,
) -> MemoryComponent:
    """The adapters with their gradients and optimizer states; paged states stay off the peak."""
    adapters = lora_params(model, rank, targets)
    per = spec.get("adapter_bytes_per_param", band)
    states = spec.get("adapter_optimizer_bytes_per_param", band)
    held = per - states if paged else per
    where = (
        f"{held:g} bytes each on the GPU; their {states:g} bytes of AdamW states "
        f"({adapters * states / shards / GIB:.1f} GiB) are paged to CPU memory under pressure"
        if paged
        else f"{per:g} bytes each with their AdamW states"
    )
    return MemoryComponent(
        "adapters_and_optimizer",
        adapters * held / shards / GIB,
        f"rank-{rank} adapters on {_targets_text(model, targets)} "
        f"({adapters / 1e6:.1f}M parameters) at {where}",
    )


def usable_gib(memory_gib: float, band: Band = Band.expected) -> float:
    """What a run may allocate on one card: less the CUDA context and a fragmentation margin."""
    c = load_constants()
    return (memory_gib - c.get("cuda_context_gib", band)) * (1 - c.get("fragmentation", band))


def _targets_text(model: ModelSpec, targets: tuple[str, ...]) -> str:
    """Which layers the adapters sit on: for a mixture of experts, whether the experts carry
    adapters (every one of them) and that the router does not."""
    if not model.is_moe:
        return "all linear layers" if set(targets) == set(LORA_TARGETS) else ", ".join(targets)
    attention = [t for t in targets if t not in MLP_MODULES]
    experts = [t for t in targets if t in MLP_MODULES]
    parts = []
    if attention:
        parts.append("attention (" + ", ".join(attention) + ")")
    if experts:
        parts.append(
            f"all {model.experts} experts' " + ", ".join(experts) + f" in each of {model.layers} "
            "layers" + (" and the shared expert's" if model.shared_expert_ffn_size else "")
        )
    return " and ".join(parts) + "; the router stays frozen"
