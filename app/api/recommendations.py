"""POST /api/v1/recommendations and POST /api/v1/estimates/training."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from app.canonical import canonical_json
from app.cost_model.describe import describe_training
from app.cost_model.inputs import TrainingEstimateInput
from app.cost_model.prices import live_prices
from app.cost_model.training import estimate_training
from app.questions import RecommendationRequest
from app.report.chart import build_chart
from app.rules.recommend import recommend

router = APIRouter(prefix="/api/v1", tags=["recommendations"])


class CanonicalJSON(Response):
    """Pre-serialised canonical bytes: the same request gives the same body, byte for byte."""

    media_type = "application/json"


def json_object(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for a CanonicalJSON answer: a JSON object (FastAPI would say "string")."""
    return {
        status: {
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }


@router.post(
    "/recommendations",
    summary="Recommend an approach for nine answers and an optional context (stateless)",
    response_class=CanonicalJSON,
    responses=json_object(200, "The recommendation"),
)
# async: a recommendation is a few milliseconds of pure CPU, so a thread hop would cost more
# than it frees; the event loop is the one Python thread either way.
async def post_recommendation(
    body: RecommendationRequest,
    include: Annotated[
        Literal["chart"] | None,
        Query(description="`chart` adds the crossover chart model the results page draws"),
    ] = None,
) -> Response:
    if live_prices():
        return CanonicalJSON(_answer(body, include))
    return CanonicalJSON(_cached_answer(body, include))


def _answer(body: RecommendationRequest, include: str | None) -> bytes:
    result = recommend(body)
    if include == "chart":
        result["chart"] = build_chart(result["cost"]).to_json()
    return canonical_json(result)


@lru_cache(maxsize=2048)
def _cached_answer(body: RecommendationRequest, include: str | None) -> bytes:
    """The same request always gets the same bytes, so an instance keeps the last few thousand
    answers: integrators re-asking an unchanged question pay validation and nothing more.
    Bypassed while prices update live (the answer could change under the same request)."""
    return _answer(body, include)


@router.post(
    "/estimates/training",
    summary="Memory, GPUs, time and cost of one training run and its programme",
    response_class=CanonicalJSON,
    responses=json_object(200, "The estimate with its breakdowns and ranges"),
)
async def post_training_estimate(body: TrainingEstimateInput) -> Response:
    return CanonicalJSON(canonical_json(describe_training(estimate_training(body.to_request()))))
