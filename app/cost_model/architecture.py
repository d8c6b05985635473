"""Resolve the architecture an estimate runs on: a catalogue model, or one shaped from a size.

A bare parameter count says nothing about layers or hidden size, yet activations depend on
them. A size-only model takes the shape of Llama 3.1 8B (untied embeddings, grouped-query
attention) and scales its widths by sqrt(N / N_ref), since a block's parameters grow with the
square of its width, keeping the stated size as the parameter count. One anchor keeps every
estimate monotonic in size: switching anchors (say to the 70B's 80 narrower layers) would
shrink the embeddings QLoRA keeps unquantised, and a bigger model would need less memory.
Name a catalogue model for its exact shape.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

from app.cost_model.catalogue import ModelSpec, load_catalogue

SHAPE_ANCHOR = "llama-3.1-8b"


@lru_cache(maxsize=256)
def model_for_size(size_b: float) -> ModelSpec:
    ref = load_catalogue().models[SHAPE_ANCHOR]
    scale = math.sqrt(size_b / ref.params_b)
    head_dim = max(1, round(ref.head_dim * scale))
    return replace(
        ref,
        id=f"custom-{size_b:g}b",
        name=f"{size_b:g}B model shaped like {ref.name}",
        params_b=size_b,
        hidden_size=head_dim * ref.attention_heads,
        head_dim=head_dim,
        ffn_size=max(1, round(ref.ffn_size * scale)),
        in_plan_catalogue=False,
        source=f"shape of {ref.id} scaled to {size_b:g}B parameters",
    )


def resolve_model(base_model: str | None, model_size_b: float | None) -> ModelSpec:
    if base_model is not None:
        return load_catalogue().models[base_model]
    if model_size_b is not None:
        return model_for_size(model_size_b)
    raise ValueError("a base model or a model size is needed")
