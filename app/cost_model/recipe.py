"""The training recipe's values (data/recipe.toml) and the choices made from them.

The cost model prices a run from a `PricedRecipe` (`request_for` turns it into the
`TrainingRequest` that memory.py and throughput.py read): its sequence length and packing
follow the examples' length, its LoRA rank the size of the data, its epochs the `epochs`
constant. The generated TRL script and axolotl config are written from the same values
(app/cost_model/recipe_model.py), so what a team runs is what was costed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from app.cost_model.catalogue import GpuSpec, ModelSpec, read_data
from app.cost_model.constants import load_constants
from app.cost_model.methods import LORA_TARGETS, Method, Precision
from app.cost_model.training import TrainingRequest


@dataclass(frozen=True, slots=True)
class RecipeData:
    """data/recipe.toml, typed: the values and their sources."""

    version: str
    as_of: str
    doc: dict[str, Any]

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.doc[name])

    def source(self, name: str) -> str:
        return str(self.doc[name]["source"])

    @property
    def libraries(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.doc["libraries"].items()}

    @property
    def files(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.doc["files"].items()}


@cache
def load_recipe_data() -> RecipeData:
    doc = read_data("recipe.toml")
    version, as_of = str(doc.pop("version")), str(doc.pop("as_of"))
    return RecipeData(version=version, as_of=as_of, doc=doc)


@lru_cache(maxsize=1024)
def sequence_length(tokens_per_example: int, model: ModelSpec) -> int:
    """At least the recipe's minimum, with room for an example `headroom` times the average,
    rounded up to a power of two and capped at the model's context window."""
    seq = load_recipe_data().section("sequence")
    wanted = max(int(seq["min_length"]), round(tokens_per_example * float(seq["headroom"])))
    return min(1 << (wanted - 1).bit_length(), model.max_context)


@lru_cache(maxsize=1024)
def packs(tokens_per_example: int, seq_len: int) -> bool:
    """Whether short examples share a sequence: an example fills at most the recipe's share."""
    share = float(load_recipe_data().section("sequence")["pack_at_most_share"])
    return tokens_per_example <= seq_len * share


def lora_rank(examples: int) -> int:
    """The rank for a run on `examples`: the first step whose example count it is within."""
    steps, largest = _rank_steps()
    return next((r for up_to, r in steps if examples <= up_to), largest)


@cache
def _rank_steps() -> tuple[tuple[tuple[int, int], ...], int]:
    """The rank steps (examples up to, rank) and the largest rank, read once: every price of
    every probe asks for a rank."""
    rank = load_recipe_data().section("rank")
    return tuple((int(up_to), int(r)) for up_to, r in rank["steps"]), int(rank["largest"])


def full_learning_rate(model: ModelSpec) -> float:
    lr = load_recipe_data().section("learning_rate")
    large = model.params_b >= float(lr["large_from_params_b"])
    return float(lr["full_large"] if large else lr["full_small"])


def learning_rate(method: Method, model: ModelSpec) -> float:
    """Full fine-tuning's rate for the model's size; LoRA and QLoRA about ten times it."""
    full = full_learning_rate(model)
    if method is Method.full:
        return full
    return full * float(load_recipe_data().section("learning_rate")["lora_multiplier"])


def gradient_accumulation_steps() -> int:
    return int(load_recipe_data().section("batch")["gradient_accumulation_steps"])


_HF_ID = re.compile(r"^https://huggingface\.co/([^/]+/[^/]+)/")


def hf_model_id(model: ModelSpec) -> str | None:
    """The model's Hugging Face id, read from the catalogue's source (its config.json page);
    None for a model given by size only."""
    found = _HF_ID.match(model.source)
    return found.group(1) if found else None


@dataclass(frozen=True, slots=True)
class PricedRecipe:
    """The recipe values the cost model prices: what memory and tokens/s depend on."""

    seq_len: int
    packing: bool
    lora_rank: int
    gradient_checkpointing: bool
    micro_batch: int | None
    """None: the layout picks 2, or 1 where 2 does not fit (training.MICRO_BATCHES)."""
    epochs: float
    precision: Precision = Precision.mixed
    lora_targets: tuple[str, ...] = LORA_TARGETS


def priced_recipe(
    model: ModelSpec,
    examples: int,
    tokens_per_example: int,
    *,
    seq_len: int | None = None,
    lora_rank_override: int | None = None,
    packing: bool | None = None,
    micro_batch: int | None = None,
    gradient_checkpointing: bool = True,
    epochs: float | None = None,
) -> PricedRecipe:
    """The recipe for a run on `examples` of `tokens_per_example`: each value the recipe's
    choice unless given (the training-estimate endpoint takes them as inputs)."""
    seq = seq_len if seq_len is not None else sequence_length(tokens_per_example, model)
    return PricedRecipe(
        seq_len=seq,
        packing=packs(tokens_per_example, seq) if packing is None else packing,
        lora_rank=lora_rank(examples) if lora_rank_override is None else lora_rank_override,
        gradient_checkpointing=gradient_checkpointing,
        micro_batch=micro_batch,
        epochs=load_constants().get("epochs") if epochs is None else epochs,
    )


def request_for(
    method: Method, model: ModelSpec, gpu: GpuSpec, recipe: PricedRecipe, **run: Any
) -> TrainingRequest:
    """The priced request: the recipe's values, and the run's size and programme (`run`)."""
    return TrainingRequest(
        method=method,
        model=model,
        gpu=gpu,
        seq_len=recipe.seq_len,
        packing=recipe.packing,
        micro_batch=recipe.micro_batch,
        gradient_checkpointing=recipe.gradient_checkpointing,
        lora_rank=recipe.lora_rank,
        lora_targets=recipe.lora_targets,
        precision=recipe.precision,
        epochs=recipe.epochs,
        **run,
    )
