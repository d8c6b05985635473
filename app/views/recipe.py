"""The "Training recipe" section (results page and the PDF's appendix) and the recipe files.

The section shows every value of the plan's recipe with why and its source; the files are the
same recipe as a TRL script and an axolotl config (recipe_trl.py, recipe_axolotl.py). Both come
from `plan.recipe`, the values the cost model priced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.cost_model.catalogue import load_catalogue
from app.cost_model.recipe_model import Recipe
from app.rules.result import Recommendation
from app.views import recipe_axolotl, recipe_trl
from app.views.recipe_header import METHOD_WORDS, Provenance

RecipeFormat = Literal["trl", "axolotl"]
FORMATS: tuple[RecipeFormat, ...] = ("trl", "axolotl")
FORMAT_LABELS = {"trl": "TRL script (Python)", "axolotl": "axolotl config (YAML)"}


@dataclass(frozen=True, slots=True)
class RecipeRow:
    label: str
    value: str
    why: str
    source: str


@dataclass(frozen=True, slots=True)
class Download:
    label: str
    href: str
    filename: str


@dataclass(frozen=True, slots=True)
class RecipeView:
    intro: str
    rows: tuple[RecipeRow, ...]
    priced: str
    downloads: tuple[Download, ...]
    """Empty on a recalculated view: the files are the saved assessment's."""


@dataclass(frozen=True, slots=True)
class RecipeFile:
    filename: str
    media_type: str
    text: str


def recipe_path(assessment_id: str, fmt: RecipeFormat) -> str:
    return f"/api/v1/assessments/{assessment_id}/recipe?format={fmt}"


def filename(fmt: RecipeFormat) -> str:
    return recipe_trl.FILENAME if fmt == "trl" else recipe_axolotl.FILENAME


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def recipe_view(
    r: Recommendation, assessment_id: str = "", recalculated: bool = False
) -> RecipeView | None:
    recipe = r.plan.recipe
    if recipe is None:
        return None
    gpu = load_catalogue().gpus[recipe.gpu].name
    count = f"{recipe.gpu_count} x " if recipe.gpu_count > 1 else "one "
    intro = (
        f"{METHOD_WORDS[recipe.method]} of {recipe.base_model_name}"
        + (f" ({recipe.hf_model_id} on Hugging Face)" if recipe.hf_model_id else "")
        + f" on {count}{gpu}: the values a trainer is configured with, each with why it was "
        "chosen and where that comes from."
    )
    downloads = (
        ()
        if not assessment_id or recalculated
        else tuple(
            Download(FORMAT_LABELS[f], recipe_path(assessment_id, f), filename(f)) for f in FORMATS
        )
    )
    return RecipeView(
        intro=intro,
        rows=tuple(RecipeRow(v.label, v.value, _sentence(v.why), v.source) for v in recipe.values),
        priced=recipe.priced,
        downloads=downloads,
    )


def provenance(r: Recommendation) -> Provenance:
    return Provenance(r.input_hash, r.rules_version, r.cost_model_version)


def render(recipe: Recipe, fmt: RecipeFormat, made: Provenance) -> RecipeFile:
    """One recipe file: its name, its media type and its deterministic text."""
    if fmt == "trl":
        return RecipeFile(
            recipe_trl.FILENAME, recipe_trl.MEDIA_TYPE, recipe_trl.trl_script(recipe, made)
        )
    return RecipeFile(
        recipe_axolotl.FILENAME,
        recipe_axolotl.MEDIA_TYPE,
        recipe_axolotl.axolotl_config(recipe, made),
    )


def recipe_file(r: Recommendation, fmt: RecipeFormat) -> RecipeFile | None:
    """The recommendation's recipe as a file; None when its plan trains nothing."""
    recipe = r.plan.recipe
    return None if recipe is None else render(recipe, fmt, provenance(r))
