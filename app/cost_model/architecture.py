"""Resolve the architecture an estimate runs on: a catalogue model, or one shaped from a size.

A bare parameter count says nothing about layers or hidden size, yet activations depend on
them. A size-only model borrows the shape of the catalogue model nearest in size (on a log
scale) and scales its hidden and feed-forward widths by sqrt(N / N_ref), since a transformer's
parameters grow with the square of its width; the stated size is kept as the parameter count.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

from app.cost_model.catalogue import ModelSpec, load_catalogue


@lru_cache(maxsize=128)
def model_for_size(size_b: float) -> ModelSpec:
    models = tuple(load_catalogue().models.values())
    ref = min(models, key=lambda m: (abs(math.log(m.params_b / size_b)), m.id))
    scale = math.sqrt(size_b / ref.params_b)
    hidden = max(ref.attention_heads, round(ref.hidden_size * scale / ref.attention_heads))
    head_dim = hidden
    hidden_size = hidden * ref.attention_heads
    return replace(
        ref,
        id=f"custom-{size_b:g}b",
        name=f"{size_b:g}B model shaped like {ref.name}",
        params_b=size_b,
        hidden_size=hidden_size,
        head_dim=head_dim,
        ffn_size=round(ref.ffn_size * scale),
        in_plan_catalogue=False,
        source=f"shape of {ref.id} scaled to {size_b:g}B parameters",
    )


def resolve_model(base_model: str | None, model_size_b: float | None) -> ModelSpec:
    if base_model is not None:
        return load_catalogue().models[base_model]
    if model_size_b is not None:
        return model_for_size(model_size_b)
    raise ValueError("a base model or a model size is needed")
