"""POST /api/v1/recommendations and POST /api/v1/estimates/training."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.canonical import canonical_json
from app.cost_model.describe import describe_training
from app.cost_model.inputs import TrainingEstimateInput
from app.cost_model.training import estimate_training
from app.questions import RecommendationRequest
from app.report.chart import build_chart
from app.rules.recommend import recommend

router = APIRouter(prefix="/api/v1", tags=["recommendations"])


class CanonicalJSON(Response):
    """Pre-serialised canonical bytes: the same request gives the same body, byte for byte."""

    media_type = "application/json"


@router.post(
    "/recommendations",
    summary="Recommend an approach for nine answers and an optional context (stateless)",
    response_class=CanonicalJSON,
)
def post_recommendation(
    body: RecommendationRequest,
    include: Annotated[
        Literal["chart"] | None,
        Query(description="`chart` adds the crossover chart model the results page draws"),
    ] = None,
) -> Response:
    result = recommend(body)
    if include == "chart":
        result["chart"] = build_chart(result["cost"]).to_json()
    return CanonicalJSON(canonical_json(result))


@router.post(
    "/estimates/training",
    summary="Memory, GPUs, time and cost of one training run and its programme",
    response_class=CanonicalJSON,
)
def post_training_estimate(body: TrainingEstimateInput) -> Response:
    return CanonicalJSON(canonical_json(describe_training(estimate_training(body.to_request()))))
