"""The model and GPU catalogues, read once from versioned TOML data.

The data files carry each value's source and date; this module only turns them into frozen
dataclasses so the rest of the cost model works with typed, immutable values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app import toml_data
from app.cost_model.invalid import invalid


@dataclass(frozen=True, slots=True)
class ModelSpec:
    id: str
    name: str
    family: str
    licence: str
    licence_family: str
    open_weights: bool
    params_b: float
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    ffn_size: int
    vocab_size: int
    tied_embeddings: bool
    max_context: int
    multilingual: str
    in_plan_catalogue: bool
    source: str
    experts: int = 0
    """Routed experts per mixture-of-experts layer (0: a dense model, `ffn_size` its MLP)."""
    experts_per_token: int = 0
    """Routed experts each token passes through; `ffn_size` is then one expert's width."""
    shared_expert_ffn_size: int = 0
    """Width of an always-active shared expert (DeepSeek, Qwen 1.5/2 MoE); 0 when none."""
    expert_weight_bits: float = 16.0
    """Bits per expert weight as the checkpoint ships and servers load it (gpt-oss: MXFP4)."""
    vision_params_b: float = 0.0
    """A vision encoder's parameters (billions), inside params_b: loaded, never run on text."""

    def __hash__(self) -> int:
        """Hash by id (equality still compares every field): models key many caches."""
        return hash(self.id)

    @property
    def is_moe(self) -> bool:
        return self.experts > 0

    @property
    def expert_params(self) -> int:
        """All routed experts' weights over every layer: gate, up and down of each (0 if dense)."""
        return self.layers * self.experts * 3 * self.hidden_size * self.ffn_size

    @property
    def active_params(self) -> float:
        """Parameters one token runs through: all but the experts the router did not pick
        (embeddings, attention, router and shared expert always count). Total if dense."""
        if not self.is_moe:
            return self.params
        idle = self.experts - self.experts_per_token
        return self.params - self.expert_params * idle / self.experts

    @property
    def active_params_b(self) -> float:
        return self.active_params / 1e9

    @property
    def text_active_params(self) -> float:
        """Active parameters of the language model alone: a text token skips the vision tower."""
        return self.active_params - self.vision_params_b * 1e9

    @property
    def params(self) -> float:
        return self.params_b * 1e9

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim

    @property
    def q_dim(self) -> int:
        return self.attention_heads * self.head_dim

    @property
    def embedding_params(self) -> int:
        """Input embedding plus, when untied, the output head: neither is quantised by QLoRA."""
        return self.vocab_size * self.hidden_size * (1 if self.tied_embeddings else 2)


@dataclass(frozen=True, slots=True)
class GpuSpec:
    id: str
    name: str
    memory_gib: float
    bf16_dense_tflops: float
    memory_bandwidth_gbs: float
    interconnect: str
    datacenter: bool
    spec_source: str
    usd_per_hour: float
    usd_per_hour_low: float
    usd_per_hour_high: float
    price_source: str
    price_as_of: str
    auto_choice: bool = True
    """Whether the plan may pick it on its own (the cheapest GPU for a run, the cheapest or the
    fastest fleet): False for a GPU whose throughput no measured run checks yet. It is still
    listed, and priced when a team names it."""

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    as_of: str
    models: dict[str, ModelSpec]
    gpus: dict[str, GpuSpec]

    @property
    def plan_models(self) -> tuple[ModelSpec, ...]:
        """Models the engine may propose, smallest first (the order proposals are tried in)."""
        return tuple(
            sorted(
                (m for m in self.models.values() if m.in_plan_catalogue),
                key=lambda m: (m.params_b, m.id),
            )
        )

    @property
    def gpus_by_price(self) -> tuple[GpuSpec, ...]:
        return tuple(sorted(self.gpus.values(), key=lambda g: (g.usd_per_hour, g.id)))

    @property
    def auto_gpus_by_price(self) -> tuple[GpuSpec, ...]:
        """The GPUs the plan may pick on its own, cheapest first (`auto_choice`)."""
        return tuple(g for g in self.gpus_by_price if g.auto_choice)


def check_model_id(value: str) -> str:
    """For validators: the id, or a ValueError that lists the ids that exist."""
    models = load_catalogue().models
    if value not in models:
        message = f"unknown base model {value!r}; choose one of: {', '.join(models)}"
        raise invalid("unknown_model", message)
    return value


def check_gpu_id(value: str) -> str:
    gpus = load_catalogue().gpus
    if value not in gpus:
        raise invalid("unknown_gpu", f"unknown GPU {value!r}; choose one of: {', '.join(gpus)}")
    return value


def read_data(name: str) -> dict[str, Any]:
    """Parse one TOML file shipped in app/cost_model/data (kept parsed between runs:
    app.toml_data)."""
    return toml_data.load(Path(__file__).parent / "data" / name)


@cache
def load_catalogue() -> Catalogue:
    models_doc = read_data("models.toml")
    gpus_doc = read_data("gpus.toml")
    models = {row["id"]: ModelSpec(**row) for row in models_doc["models"]}
    gpus = {row["id"]: GpuSpec(**row) for row in gpus_doc["gpus"]}
    return Catalogue(
        version=f"models {models_doc['version']}, gpus {gpus_doc['version']}",
        as_of=max(models_doc["as_of"], gpus_doc["as_of"]),
        models=dict(sorted(models.items())),
        gpus=dict(sorted(gpus.items())),
    )
