"""GET endpoints for the catalogues: questions, models, GPUs, rules."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.schemas import GpuCatalogue, ModelCatalogue, QuestionCatalogue, RuleCatalogue
from app.cost_model import COST_MODEL_VERSION
from app.cost_model.catalogue import load_catalogue
from app.cost_model.constants import load_constants
from app.cost_model.freshness import freshness, is_stale
from app.cost_model.prices import prices_as_of
from app.http.query import KNOWN_QUERY_ONLY
from app.questions.catalogue import question_catalogue
from app.rules.base.catalogue import load_rules
from app.rules.proposal.catalogue import load_proposal_catalogue

router = APIRouter(prefix="/api/v1", tags=["catalogues"], dependencies=[KNOWN_QUERY_ONLY])


def described_by(model: type[BaseModel], description: str) -> dict[int | str, dict[str, Any]]:
    """The route's 200 as `model` says (the route answers the catalogue's own document)."""
    return {200: {"description": description, "model": model}}


@router.get(
    "/questions",
    operation_id="list_questions",
    summary="The nine questions and the optional context",
    response_model=None,
    responses=described_by(QuestionCatalogue, "The questions, with types, bounds and defaults"),
)
def questions() -> dict[str, Any]:
    return question_catalogue()


@router.get(
    "/models",
    operation_id="list_models",
    response_model=None,
    responses=described_by(ModelCatalogue, "The base models"),
    summary="Base models with their real architectures and sources",
    description="Each model's architecture as its config.json gives it, its licence, context "
    "length, multilingual note and source. `params_b` is the total parameter count (every "
    "expert of a mixture of experts, which must all be resident); `active_params_b` is what "
    "one token runs through (equal to the total for a dense model); `experts` and "
    "`experts_per_token` are 0 for a dense model.",
)
def models() -> dict[str, Any]:
    cat = load_catalogue()
    return {
        "version": cat.version,
        "as_of": cat.as_of,
        "models": [
            {**asdict(m), "active_params_b": round(m.active_params_b, 2)}
            for m in cat.models.values()
        ],
    }


@router.get(
    "/gpus",
    operation_id="list_gpus",
    summary="GPUs with memory, dense bf16 peak, bandwidth and dated prices",
    description="Each GPU's hourly prices (expected, low, high) name their providers, pages and "
    "the dates read in `price_source`; `price_as_of` is the oldest of those dates, and "
    "`price_stale` is true when it is older than `price_max_age_months` at `prices_reviewed` "
    "(the price is still used, but may have changed).",
    response_model=None,
    responses=described_by(GpuCatalogue, "The GPUs"),
)
def gpus() -> dict[str, Any]:
    cat = load_catalogue()
    fresh = freshness()
    return {
        "version": cat.version,
        "as_of": cat.as_of,
        "prices_reviewed": fresh.reviewed,
        "price_max_age_months": fresh.max_age_months,
        "gpus": [{**asdict(g), "price_stale": is_stale(g.price_as_of)} for g in cat.gpus.values()],
    }


@router.get(
    "/rules",
    operation_id="list_rules",
    summary="The rule catalogue with its version and sources",
    response_model=None,
    responses=described_by(RuleCatalogue, "The rules, the constants and the anti-patterns"),
)
def rules() -> dict[str, Any]:
    cat = load_rules()
    constants = load_constants()
    return {
        "rules_version": cat.version,
        "cost_model_version": COST_MODEL_VERSION,
        "prices_as_of": prices_as_of(),
        "tie_break": [a.value for a in cat.tie_break],
        "rules": [
            {
                "id": r.id,
                "reason": r.reason,
                "effect": r.effect,
                "source": r.source,
                "applies_to": [a.value for a in r.applies_to],
            }
            for r in (*cat.rules, *cat.constraints)  # the musts, applied after the points
        ],
        "constants": [asdict(c) for c in constants.table.values()],
        "proposal_anti_patterns": [asdict(p) for p in load_proposal_catalogue().anti_patterns],
    }
