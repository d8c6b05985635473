"""POST /api/v1/recommendations:batch: many recommendation requests in one call.

An intranet portal with a file of cases sends them together rather than one call each. Each
item is validated and answered on its own, in order: a bad item is a problem detail in its
place (status 422, a JSON Pointer to each field from the batch's root), never a refusal of
the batch. Answers come from the same cache and the same recommendation slots as single
requests, each new one in its own slot turn so single requests interleave with a batch; each
new one counts one unit against the client's recommendations limit (a batch needing more
units than remain is answered 429 as a whole, with the RateLimit headers saying what is
left). At most TUNEWISE_BATCH_MAX_REQUESTS items (100 by default); more is 422.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.api.recommendations import (
    AnswerCache,
    CanonicalJSON,
    RecommendationWithChart,
    answer_bytes,
)
from app.canonical import json_bytes
from app.cost_model.prices import live_prices
from app.http.compute import slots_of
from app.http.errors import ProblemException
from app.http.media import JSON_ONLY
from app.http.openapi import problems
from app.http.query import KNOWN_QUERY_ONLY
from app.http.ratelimit import limits_of
from app.problems import INVALID_REQUEST, Problem, entry, invalid_request, problem_document
from app.questions import RecommendationRequest

router = APIRouter(prefix="/api/v1", tags=["recommendations"], dependencies=[KNOWN_QUERY_ONLY])


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requests: list[Any] = Field(
        min_length=1,
        description=(
            "recommendation requests, each as the body of POST /api/v1/recommendations; at "
            "most TUNEWISE_BATCH_MAX_REQUESTS (100 by default). Each is validated on its own"
        ),
    )


class BatchItem(BaseModel):
    index: int = Field(description="the item's place in `requests`, from 0")
    status: Literal[200, 422] = Field(description="200: `result` is set; 422: `problem` is")
    result: RecommendationWithChart | None = None
    problem: Problem | None = Field(
        None, description="what to fix in this item, pointers from the batch's root"
    )


class BatchResponse(BaseModel):
    results: list[BatchItem] = Field(description="one per request, in the order sent")


def item_problem(index: int, errors: list[Any]) -> dict[str, Any]:
    """The problem of one invalid item: the API's problem details (app.problems), its
    pointers rooted at the item (`/requests/1/answers/objective`)."""
    found = invalid_request(errors, located=False)
    base = f"/requests/{index}"
    rooted = [entry(base + e.pointer, e.code, e.message) for e in found.errors]
    detail = f"Request {index} of the batch needs fixing: {found.detail}"
    return problem_document(found.model_copy(update={"errors": rooted, "detail": detail}))


def _validated(raw: list[Any]) -> list[RecommendationRequest | dict[str, Any]]:
    out: list[RecommendationRequest | dict[str, Any]] = []
    for index, item in enumerate(raw):
        try:
            out.append(RecommendationRequest.model_validate(item))
        except ValidationError as exc:
            out.append(item_problem(index, exc.errors()))
    return out


@router.post(
    "/recommendations:batch",
    summary="Recommend for many requests at once: one result or problem per item, in order",
    response_class=CanonicalJSON,
    response_model=BatchResponse,
    response_model_exclude_none=True,
    operation_id="recommend_batch",
    responses={
        200: {"description": "One entry per request, in order"},
        **problems(415, 429, 503),
    },
    dependencies=[JSON_ONLY],
)
async def post_batch(request: Request, body: BatchRequest) -> Response:
    most = request.app.state.settings.batch_max_requests
    if len(body.requests) > most:
        message = f"A batch may carry at most {most} requests; this one has {len(body.requests)}."
        too_many = entry("/requests", "too_long", message)
        raise ProblemException(INVALID_REQUEST, message, [too_many])
    items = _validated(body.requests)
    answers = await _answers([i for i in items if isinstance(i, RecommendationRequest)], request)
    parts = []
    for index, item in enumerate(items):
        if isinstance(item, RecommendationRequest):
            parts.append(b'{"index":%d,"result":%b,"status":200}' % (index, answers[item]))
        else:
            parts.append(json_bytes({"index": index, "problem": item, "status": 422}))
    return CanonicalJSON(b'{"results":[' + b",".join(parts) + b"]}")


async def _answers(
    valid: list[RecommendationRequest], request: Request
) -> dict[RecommendationRequest, bytes]:
    """Each distinct request's canonical bytes: from the cache, else computed (counted)."""
    cache: AnswerCache = request.app.state.answer_cache
    live = live_prices()
    found: dict[RecommendationRequest, bytes] = {}
    for item in valid:
        cached = None if live else cache.get(item, None)
        if cached is not None:
            found[item] = cached
    new = list(dict.fromkeys(i for i in valid if i not in found))
    if new:
        limits = limits_of(request)
        await limits.check_async(request, limits.recommendations, "recommendations", len(new))
        slots = slots_of(request)
        for item in new:
            found[item] = await slots.run(answer_bytes, item, None)
            if not live:
                cache.put(item, None, found[item])
    return found
