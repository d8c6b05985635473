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

from fastapi import APIRouter, HTTPException, Request, Response
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
from app.http.errors import field_errors
from app.http.media import JSON_ONLY, NOT_JSON_DOC
from app.http.ratelimit import limits_of
from app.questions import RecommendationRequest

router = APIRouter(prefix="/api/v1", tags=["recommendations"])


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requests: list[Any] = Field(
        min_length=1,
        description=(
            "recommendation requests, each as the body of POST /api/v1/recommendations; at "
            "most TUNEWISE_BATCH_MAX_REQUESTS (100 by default). Each is validated on its own"
        ),
    )


class ItemError(BaseModel):
    pointer: str = Field(description="JSON Pointer (RFC 6901) to the field, from the batch's root")
    code: str = Field(description="the kind of problem, for a program (pydantic's error type)")
    detail: str = Field(description="what is wrong, for a person")


class ItemProblem(BaseModel):
    """An RFC 9457 problem detail for one item of the batch."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ItemError]


class BatchItem(BaseModel):
    index: int = Field(description="the item's place in `requests`, from 0")
    status: Literal[200, 422] = Field(description="200: `result` is set; 422: `problem` is")
    result: RecommendationWithChart | None = None
    problem: ItemProblem | None = None


class BatchResponse(BaseModel):
    results: list[BatchItem] = Field(description="one per request, in the order sent")


def item_problem(index: int, errors: list[Any]) -> dict[str, Any]:
    """The problem detail of one invalid item: the ONE place its shape is made (to follow the
    API's common problem-details module once there is one)."""
    base = f"/requests/{index}"
    listed = []
    for err, said in zip(errors, field_errors(errors), strict=True):
        path = "".join(
            "/" + str(part).replace("~", "~0").replace("/", "~1") for part in err.get("loc", ())
        )
        listed.append({"pointer": base + path, "code": said["type"], "detail": said["message"]})
    return {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": f"Request {index} of the batch needs fixing ({len(listed)} problem(s)).",
        "errors": listed,
    }


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
    responses={200: {"description": "One entry per request, in order"}, **NOT_JSON_DOC},
    dependencies=[JSON_ONLY],
)
async def post_batch(request: Request, body: BatchRequest) -> Response:
    most = request.app.state.settings.batch_max_requests
    if len(body.requests) > most:
        message = f"A batch may carry at most {most} requests; this one has {len(body.requests)}."
        raise HTTPException(422, detail=[{"field": "requests", "message": message}])
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
