"""POST /api/v1/recommendations and POST /api/v1/estimates/training."""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from app.api.examples import ESTIMATE_EXAMPLES, RECOMMENDATION_EXAMPLES
from app.api.schemas import TrainingEstimate
from app.canonical import json_bytes, result_hash
from app.cost_model.describe import describe_training
from app.cost_model.inputs import TrainingEstimateInput
from app.cost_model.prices import live_prices
from app.cost_model.training import estimate_training
from app.http.compute import slots_of
from app.http.media import JSON_ONLY
from app.http.openapi import problems
from app.http.query import KNOWN_QUERY_ONLY
from app.http.ratelimit import limits_of
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.chart import Chart, build_chart

router = APIRouter(prefix="/api/v1", tags=["recommendations"], dependencies=[KNOWN_QUERY_ONLY])


class CanonicalJSON(JSONResponse):
    """Pre-serialised canonical bytes: the same request gives the same body, byte for byte.

    A JSONResponse (so OpenAPI documents the route's response model as JSON) whose content is
    already the canonical bytes: they pass through untouched.
    """

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return json_bytes(content)


RESULT_HASH_DOC = (
    "SHA-256 (hex) of the recommendation's canonical JSON (sorted keys, compact, UTF-8), "
    "`chart` and `result_hash` left out: it changes whenever any figure or word of the "
    "result does, under a new rules, cost-model or price version too, which `input_hash` "
    "alone does not; equal for a stateless recommendation and an assessment of the same "
    "input and versions, so it is a cache key and a check that two answers agree"
)


class RecommendationWithChart(Recommendation):
    """The recommendation, and with `?include=chart` the chart the results page draws."""

    result_hash: str = Field(description=RESULT_HASH_DOC)
    chart: Chart | None = Field(None, description="present with `?include=chart`")


@router.post(
    "/recommendations",
    operation_id="recommend",
    summary="Recommend an approach for nine answers and an optional context (stateless)",
    response_class=CanonicalJSON,
    response_model=RecommendationWithChart,
    responses={200: {"description": "The recommendation"}, **problems(429, 503)},
    dependencies=[JSON_ONLY],
)
# async: a cached answer is served on the loop at once; a new one is computed in a thread under
# the app's recommendation slots (app.http.compute), so the loop keeps serving everyone else.
async def post_recommendation(
    request: Request,
    body: Annotated[RecommendationRequest, Body(openapi_examples=RECOMMENDATION_EXAMPLES)],
    include: Annotated[
        Literal["chart"] | None,
        Query(description="`chart` adds the crossover chart model the results page draws"),
    ] = None,
) -> Response:
    answers: AnswerCache = request.app.state.answer_cache
    cached = None if live_prices() else answers.get(body, include)
    if cached is not None:  # free: no rate-limit hit, no slot
        return CanonicalJSON(cached)
    limits = limits_of(request)
    await limits.check_async(request, limits.recommendations, "recommendations")
    answer = await slots_of(request).run(answer_bytes, body, include)
    if not live_prices():
        answers.put(body, include, answer)
    return CanonicalJSON(answer)


def answer_bytes(body: RecommendationRequest, include: str | None) -> bytes:
    """The canonical bytes, made once here at the edge from the typed result."""
    result = recommend(body)
    document = result.model_dump(mode="json")
    document["result_hash"] = result_hash(document)
    if include == "chart":
        document["chart"] = build_chart(result.cost).model_dump(mode="json")
    return json_bytes(document)


class AnswerCache:
    """The same request always gets the same bytes, so an app keeps the last few thousand
    answers: integrators re-asking an unchanged question pay validation and nothing more (no
    slot, no rate-limit hit). Each app built by create_app() has its own
    (app.state.answer_cache); it is bypassed while prices update live (the answer could change
    under the same request). Only the event loop touches it, so it needs no lock."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.hits = 0
        self._answers: OrderedDict[tuple[RecommendationRequest, str | None], bytes] = OrderedDict()

    def get(self, body: RecommendationRequest, include: str | None) -> bytes | None:
        answer = self._answers.get((body, include))
        if answer is not None:
            self._answers.move_to_end((body, include))
            self.hits += 1
        return answer

    def put(self, body: RecommendationRequest, include: str | None, answer: bytes) -> None:
        self._answers[(body, include)] = answer
        self._answers.move_to_end((body, include))
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)


@router.post(
    "/estimates/training",
    operation_id="estimate_training",
    summary="Memory, GPUs, time and cost of one training run and its programme",
    response_class=CanonicalJSON,
    response_model=None,
    responses={
        200: {
            "description": "The estimate with its breakdowns and ranges",
            "model": TrainingEstimate,
        }
    },
    dependencies=[JSON_ONLY],
)
async def post_training_estimate(
    body: Annotated[TrainingEstimateInput, Body(openapi_examples=ESTIMATE_EXAMPLES)],
) -> Response:
    return CanonicalJSON(json_bytes(describe_training(estimate_training(body.to_request()))))
