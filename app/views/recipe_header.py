"""What both recipe files say at the top: what they were made from and how to run them.

A file is a pure function of the recipe and `Provenance`, so the same assessment and versions
give the same bytes (no dates, no paths of this machine).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.cost_model.catalogue import load_catalogue
from app.cost_model.recipe_model import Recipe

METHOD_WORDS = {"lora": "LoRA", "qlora": "QLoRA", "full": "Full fine-tuning"}


@dataclass(frozen=True, slots=True)
class Provenance:
    """The assessment and versions a file was made from."""

    input_hash: str | None
    rules_version: str | None
    cost_model_version: str


def model_id(recipe: Recipe) -> str:
    """The base model's Hugging Face id, or a placeholder to fill for a size-only model."""
    return recipe.hf_model_id or "REPLACE-with-your-base-model-hf-id"


def title(recipe: Recipe) -> str:
    return f"Tunewise training recipe: {METHOD_WORDS[recipe.method]} of {recipe.base_model_name}"


def made_from(recipe: Recipe, made: Provenance) -> list[str]:
    """The header's lines about what the file was made from and what it was costed as."""
    libs = recipe.libraries
    lines = [
        title(recipe),
        "",
        "Made from: "
        + (f"assessment input hash {made.input_hash}" if made.input_hash else "a training estimate")
        + (f"; rules {made.rules_version}" if made.rules_version else "")
        + f"; cost model {made.cost_model_version}; recipe {recipe.recipe_version} "
        f"({recipe.recipe_as_of}).",
        (
            f"Written for TRL {libs['trl']}, PEFT {libs['peft']}, "
            f"transformers {libs['transformers']} and axolotl {libs['axolotl']}."
        ),
        "Tunewise computed this run's memory, tokens per second, GPU-hours and cost from exactly",
        "these values; change one and the estimate no longer describes the run.",
        "",
        f"Base model: {model_id(recipe)} ({recipe.base_model_name}).",
        f"Hardware: {recipe.gpu_count} x {load_catalogue().gpus[recipe.gpu].name}.",
        f"Training data: {recipe.train_file}, {recipe.dataset_format}.",
        f"Locked test set: {recipe.test_file}, {recipe.test_set_examples} examples, same format,",
        "carved out before training; never train or tune on it. Each run is scored on it once,",
        "at the end: the fine-tuned model against the un-fine-tuned base.",
        f"Output directory: {recipe.output_dir}.",
        "",
        f"Experiment grid ({recipe.experiments} runs, then any tenant runs):",
    ]
    lines += [f"  runs {s.first_run} to {s.last_run}: {s.varies}" for s in recipe.grid]
    return lines


def comment_block(lines: list[str]) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)
