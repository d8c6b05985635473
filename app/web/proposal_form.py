"""The team's proposal step of the wizard: its fields, and form text in, a Proposal out.

Field names carry a `proposal_` prefix so they never clash with the deployment step's
`base_model` and `gpu`, which travel on the same form as hidden fields. Blank is "not stated".
Numbers are read as the other steps read them ("10k", "$25,000"), with the bounds the
`Proposal` model declares, and every field is checked in one round.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from app.cost_model.catalogue import load_catalogue
from app.questions.proposal import (
    MAX_PROPOSAL_EXPERIMENTS,
    MAX_PROPOSAL_GPUS,
    Proposal,
    ProposedApproach,
    Stated,
)
from app.vocabulary import words
from app.web.forms import MODEL_OR_SIZE, parse_value

PREFIX = "proposal_"

NUMBERS: dict[str, dict[str, Any]] = {
    "model_size_b": {
        "type": "number",
        "name": "The model size",
        "exclusive_minimum": 0.1,
        "maximum": 1000,
    },
    "gpu_count": {"type": "integer", "name": "The number of GPUs", "minimum": 1},
    "experiments": {"type": "integer", "name": "The number of experiments", "minimum": 1},
    "budget_usd": {"type": "number", "name": "The budget", "minimum": 0, "maximum": 100_000_000},
}
"""The numeric fields with the bounds of `Proposal` (the maxima below come from it)."""
NUMBERS["gpu_count"]["maximum"] = MAX_PROPOSAL_GPUS
NUMBERS["experiments"]["maximum"] = MAX_PROPOSAL_EXPERIMENTS


def _models() -> list[Any]:
    """Every catalogue model, smallest first."""
    return sorted(load_catalogue().models.values(), key=lambda m: (m.params_b, m.name))


STATED_LABELS = {Stated.yes: "Yes", Stated.no: "No", Stated.not_stated: "Not stated"}

FIELDS: tuple[dict[str, Any], ...] = (
    {
        "id": "approach",
        "label": "What approach does the team propose?",
        "help": "The method the proposal asks the budget for.",
        "options": [{"value": a.value, "label": words.approach(a.value)} for a in ProposedApproach],
    },
    {
        "id": "base_model",
        "label": "Base model",
        "help": "Leave as not stated to review it on the recommendation's model.",
        "choices": ("Not stated", [(m.id, m.name) for m in _models()]),
    },
    {
        "id": "model_size_b",
        "label": "Or the model size, in billions of parameters",
        "help": "For a model not in the list, for example 70.",
    },
    {
        "id": "gpu",
        "label": "GPU asked for",
        "help": "Leave as not stated to price the cheapest GPU that holds the run.",
        "choices": ("Not stated", [(g.id, g.name) for g in load_catalogue().gpus_by_price]),
    },
    {
        "id": "gpu_count",
        "label": "GPUs per training run",
        "help": "For example 8 for an 8-GPU cluster. Blank if not stated.",
    },
    {
        "id": "experiments",
        "label": "Number of experiments (training runs)",
        "help": "Blank if the proposal does not say.",
    },
    {
        "id": "budget_usd",
        "label": "Compute budget requested (US dollars)",
        "help": "Blank if not stated.",
    },
    {
        "id": "locked_test_set",
        "label": "Is a locked test set planned before training starts?",
        "help": "Examples held out and never trained on.",
        "options": [{"value": s.value, "label": STATED_LABELS[s]} for s in Stated],
    },
    {
        "id": "lora_comparison_run",
        "label": "Was a LoRA comparison run on the same data?",
        "help": "What a full fine-tuning proposal must show, with a benchmark number.",
        "options": [{"value": s.value, "label": STATED_LABELS[s]} for s in Stated],
    },
)
"""The step's fields in the order shown."""

FORM_NAMES = tuple(PREFIX + f["id"] for f in FIELDS)


def _choice_error(field: str) -> str:
    return {
        "approach": "Choose the approach the team proposes",
        "base_model": "Choose the base model from the list",
        "gpu": "Choose the GPU from the list",
    }.get(field, "Choose one of the options")


def parse_proposal(form: Mapping[str, str]) -> tuple[Proposal | None, dict[str, str]]:
    """(the proposal, {}) or (None, a message per form field)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        fid = field["id"]
        raw = str(form.get(PREFIX + fid, "")).strip()
        if not raw:
            if fid == "approach":
                errors[PREFIX + fid] = _choice_error(fid)
            continue
        if fid in NUMBERS:
            value, error = parse_value({**NUMBERS[fid], "missing": ""}, raw)
            if error:
                errors[PREFIX + fid] = error
            else:
                values[fid] = value
            continue
        values[fid] = raw
    try:
        proposal = Proposal.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors():
            if not err["loc"]:  # the one check across fields
                errors.setdefault(PREFIX + "model_size_b", MODEL_OR_SIZE)
                continue
            name = str(err["loc"][0])
            errors.setdefault(PREFIX + name, _choice_error(name))
        return None, errors
    return (None, errors) if errors else (proposal, {})
