"""POST /api/v1/assessments and GET /api/v1/assessments/{id}: recommendations kept by id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.api.recommendations import RESULT_HASH_DOC, CanonicalJSON
from app.assessments.store import AssessmentStore, StoredAssessment
from app.canonical import json_bytes, result_hash
from app.http.compute import slots_of
from app.http.deps import Store
from app.http.errors import NOT_FOUND
from app.http.keys import owner_of, team_of
from app.http.media import JSON_ONLY, NOT_JSON_DOC
from app.http.prerender import after_save
from app.http.ratelimit import limits_of
from app.questions import RecommendationRequest
from app.rules.result import Recommendation
from app.services.assessments import create_assessment
from app.services.titles import DEFAULT_TITLE, TITLE_MAX, title_pattern, title_problem
from app.views.document import document_of

router = APIRouter(prefix="/api/v1", tags=["assessments"])

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]


class AssessmentRequest(RecommendationRequest):
    """The recommendation request plus a title for people to find it by."""

    title: Title = Field(
        default=DEFAULT_TITLE,
        description=(
            "1 to 200 characters after trimming, some of them visible; one line of plain text, "
            "without control characters, invisible marks or bidi direction overrides"
        ),
        json_schema_extra=lambda schema: schema.update(pattern=title_pattern()),
    )

    shared: bool = Field(
        default=False,
        strict=True,
        description=(
            "false (the default): only keys of the team whose key saves it read it through the "
            "API; true: every key does. Its links work for whoever holds them either way"
        ),
    )

    @field_validator("title")
    @classmethod
    def _printable(cls, value: str) -> str:
        problem = title_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class Links(BaseModel):
    self: str = Field(description="this assessment in the API")
    html: str = Field(description="its results page")
    report: str = Field(description="its PDF report")


class AssessmentCreated(BaseModel):
    id: str = Field(description="unguessable: 256 random bits, URL-safe")
    title: str
    created_at: str = Field(description="UTC, ISO 8601, whole seconds")
    input_hash: str
    result_hash: str = Field(description=RESULT_HASH_DOC)
    shared: bool = Field(
        description="readable through the API by every key, not only the making team's"
    )
    links: Links
    result: Recommendation


class Said(BaseModel):
    label: str = ""
    value: str = ""
    note: str = ""


class Decision(BaseModel):
    """Page 1 of the decision document in words, as the results page and the PDF print it."""

    heading: str
    lead: str = Field(description="what to do and what it changes, in one sentence")
    facts: list[Said] = Field(
        description="build and running cost, payback, answer time, "
        "model, GPUs, timeline: label, value and note"
    )
    confidence: dict[str, str] = Field(description="`level` (low, medium, high) and `says`")
    proposal: dict[str, str] | None = Field(description="the team's proposal: `verdict`, `says`")
    risks: list[dict[str, str]] = Field(description="the three risks that matter: text, source")


class Assessment(AssessmentCreated):
    answers: dict[str, Any] = Field(description="the nine answers as given (defaults applied)")
    context: dict[str, Any] = Field(description="the context with its defaults applied")
    unsure: list[str]
    rules_version: str
    cost_model_version: str
    prices_as_of: str
    decision: Decision = Field(description="page 1 of the decision document, in words")


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def links(assessment_id: str) -> dict[str, str]:
    return {
        "self": f"/api/v1/assessments/{assessment_id}",
        "html": f"/assessments/{assessment_id}",
        "report": f"/api/v1/assessments/{assessment_id}/report.pdf",
    }


def describe(assessment: StoredAssessment) -> dict[str, Any]:
    """The stored assessment as the API returns it."""
    return {
        "id": assessment.id,
        "title": assessment.title,
        "created_at": iso_utc(assessment.created_at),
        "answers": assessment.answers,
        "context": assessment.context,
        "unsure": list(assessment.unsure),
        "input_hash": assessment.input_hash,
        "rules_version": assessment.rules_version,
        "cost_model_version": assessment.cost_model_version,
        "prices_as_of": assessment.prices_as_of,
        "result": assessment.result_document,
        "result_hash": result_hash(assessment.result_document),
        "shared": assessment.shared,
        "decision": document_of(assessment).summary(),
        "links": links(assessment.id),
    }


_NOT_FOUND_DOC: dict[int | str, dict[str, Any]] = {
    404: {"description": "No assessment with this id", "content": {"application/json": {}}}
}


@router.post(
    "/assessments",
    summary="Recommend, and keep the assessment under an unguessable id",
    response_class=CanonicalJSON,
    status_code=201,
    response_model=AssessmentCreated,
    responses={
        201: {"description": "The stored assessment's id, links and recommendation"},
        **NOT_JSON_DOC,
    },
    dependencies=[JSON_ONLY],
)
def post_assessment(request: Request, body: AssessmentRequest, store: Store) -> Response:
    """Sync (a thread): the save is database work; the recommendation hops to a slot."""
    limits_of(request).check(request, limits_of(request).assessments, "assessments")
    saved = create_assessment(
        store,
        body,
        body.title,
        saved=after_save(request, store),
        compute=slots_of(request).compute,
        owner=owner_of(request),
        shared=body.shared,
    )
    document = {
        "id": saved.id,
        "title": saved.title,
        "created_at": iso_utc(saved.created_at),
        "input_hash": saved.input_hash,
        "links": links(saved.id),
        "result": saved.result_document,
        "result_hash": result_hash(saved.result_document),
        "shared": saved.shared,
    }
    return CanonicalJSON(
        json_bytes(document),
        status_code=201,
        headers={"Location": links(saved.id)["self"]},
    )


@router.get(
    "/assessments/{assessment_id}",
    summary="A saved assessment: its inputs, versions and recommendation",
    response_class=CanonicalJSON,
    response_model=Assessment,
    responses={200: {"description": "The stored assessment"}, **_NOT_FOUND_DOC},
)
def get_assessment(request: Request, assessment_id: str, store: Store) -> Response:
    found = readable(request, assessment_id, store)
    if found is None:
        return CanonicalJSON(json_bytes(NOT_FOUND), status_code=404)
    return CanonicalJSON(json_bytes(describe(found)))


def readable(
    request: Request, assessment_id: str, store: AssessmentStore
) -> StoredAssessment | None:
    """The assessment if this caller may read it through the API, else None (answered 404,
    as for an id that does not exist: another team learns nothing about it)."""
    found = store.get(assessment_id)  # the store answers None for an id of the wrong form
    if found is None or not found.readable_by(team_of(request)):
        return None
    return found


class Sharing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shared: bool = Field(
        strict=True, description="true: every key reads it through the API; false: its team"
    )


_FORBIDDEN_DOC: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "Another team's assessment (shared): only its own team may change it",
        "content": {"application/json": {}},
    }
}


@router.patch(
    "/assessments/{assessment_id}",
    summary="Share an assessment with every API key, or stop sharing it",
    response_class=CanonicalJSON,
    response_model=Assessment,
    responses={200: {"description": "The assessment"}, **_NOT_FOUND_DOC, **_FORBIDDEN_DOC},
    dependencies=[JSON_ONLY],
)
def patch_assessment(request: Request, assessment_id: str, body: Sharing, store: Store) -> Response:
    """Only keys of the team that made it (any caller while keys are off); needs `write`."""
    found = readable(request, assessment_id, store)
    if found is None:
        return CanonicalJSON(json_bytes(NOT_FOUND), status_code=404)
    team = team_of(request)
    if team is not None and (found.owner is None or found.owner.team != team):
        return CanonicalJSON(json_bytes(NOT_YOURS), status_code=403)
    if not store.set_shared(assessment_id, body.shared):
        return CanonicalJSON(json_bytes(NOT_FOUND), status_code=404)
    return CanonicalJSON(json_bytes(describe(replace(found, shared=body.shared))))


NOT_YOURS = {
    "detail": [{"field": "id", "message": "Only the team that made this assessment may change it."}]
}
