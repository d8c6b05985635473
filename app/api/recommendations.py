"""POST /api/v1/recommendations and POST /api/v1/estimates/training."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from app.canonical import json_bytes
from app.cost_model.describe import describe_training
from app.cost_model.inputs import TrainingEstimateInput
from app.cost_model.prices import live_prices
from app.cost_model.training import estimate_training
from app.http.media import JSON_ONLY, NOT_JSON_DOC
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.chart import Chart, build_chart

router = APIRouter(prefix="/api/v1", tags=["recommendations"])


class CanonicalJSON(JSONResponse):
    """Pre-serialised canonical bytes: the same request gives the same body, byte for byte.

    A JSONResponse (so OpenAPI documents the route's response model as JSON) whose content is
    already the canonical bytes: they pass through untouched.
    """

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return json_bytes(content)


def json_object(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for a CanonicalJSON answer: a JSON object (FastAPI would say "string")."""
    return {
        status: {
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }


class RecommendationWithChart(Recommendation):
    """The recommendation, and with `?include=chart` the chart the results page draws."""

    chart: Chart | None = Field(None, description="present with `?include=chart`")


@router.post(
    "/recommendations",
    summary="Recommend an approach for nine answers and an optional context (stateless)",
    response_class=CanonicalJSON,
    response_model=RecommendationWithChart,
    response_model_exclude_none=True,
    responses={200: {"description": "The recommendation"}, **NOT_JSON_DOC},
    dependencies=[JSON_ONLY],
)
# async: a recommendation is a few milliseconds of pure CPU, so a thread hop would cost more
# than it frees; the event loop is the one Python thread either way.
async def post_recommendation(
    request: Request,
    body: RecommendationRequest,
    include: Annotated[
        Literal["chart"] | None,
        Query(description="`chart` adds the crossover chart model the results page draws"),
    ] = None,
) -> Response:
    if live_prices():
        return CanonicalJSON(_answer(body, include))
    answers: AnswerCache = request.app.state.answer_cache
    return CanonicalJSON(answers(body, include))


def _answer(body: RecommendationRequest, include: str | None) -> bytes:
    """The canonical bytes, made once here at the edge from the typed result."""
    result = recommend(body)
    document = result.model_dump(mode="json")
    if include == "chart":
        document["chart"] = build_chart(result.cost).model_dump(mode="json")
    return json_bytes(document)


AnswerCache = Callable[[RecommendationRequest, str | None], bytes]


def answer_cache(size: int = 2048) -> AnswerCache:
    """The same request always gets the same bytes, so an app keeps the last few thousand
    answers: integrators re-asking an unchanged question pay validation and nothing more.
    Each app built by create_app() has its own (app.state.answer_cache); it is bypassed while
    prices update live (the answer could change under the same request)."""
    return lru_cache(maxsize=size)(_answer)


@router.post(
    "/estimates/training",
    summary="Memory, GPUs, time and cost of one training run and its programme",
    response_class=CanonicalJSON,
    responses={**json_object(200, "The estimate with its breakdowns and ranges"), **NOT_JSON_DOC},
    dependencies=[JSON_ONLY],
)
async def post_training_estimate(body: TrainingEstimateInput) -> Response:
    return CanonicalJSON(json_bytes(describe_training(estimate_training(body.to_request()))))
