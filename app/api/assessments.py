"""POST /api/v1/assessments and GET /api/v1/assessments/{id}: recommendations kept by id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.api.examples import ASSESSMENT_EXAMPLES
from app.api.recommendations import RESULT_HASH_DOC, CanonicalJSON
from app.assessments.store import AssessmentStore, StoredAssessment
from app.canonical import json_bytes, result_hash
from app.cost_model.invalid import invalid
from app.http.compute import slots_of
from app.http.deps import Store
from app.http.errors import ProblemException, no_assessment
from app.http.keys import owner_of, team_of
from app.http.media import JSON_ONLY
from app.http.openapi import problems
from app.http.prerender import after_save
from app.http.query import KNOWN_QUERY_ONLY
from app.http.ratelimit import limits_of
from app.problems import FORBIDDEN, entry
from app.questions import Answers, Context, RecommendationRequest
from app.rules.result import Recommendation
from app.services.assessments import create_assessment
from app.services.titles import DEFAULT_TITLE, TITLE_MAX, title_pattern, title_problem
from app.views.document import document_of

router = APIRouter(prefix="/api/v1", tags=["assessments"], dependencies=[KNOWN_QUERY_ONLY])

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
            raise invalid("invalid_title", problem)
        return value


class Links(BaseModel):
    """Where the assessment is, as paths on this service."""

    self: str = Field(description="this assessment in the API")
    html: str = Field(description="its results page")
    report: str = Field(description="its PDF report")


class AssessmentCreated(BaseModel):
    """A saved assessment's id, links and recommendation."""

    id: str = Field(description="unguessable: 256 random bits, URL-safe")
    title: str = Field(description="the title people find it by")
    created_at: str = Field(description="UTC, ISO 8601, whole seconds")
    input_hash: str = Field(
        description="SHA-256 of the canonical answers, context, unsure list and proposal"
    )
    result_hash: str = Field(description=RESULT_HASH_DOC)
    shared: bool = Field(
        description="readable through the API by every key, not only the making team's"
    )
    links: Links = Field(description="where to read it, see it and download its report")
    result: Recommendation = Field(description="the recommendation, as POST /recommendations")


class Said(BaseModel):
    """A fact of page 1: its label, its value and a note."""

    label: str = Field("", description="what the fact is")
    value: str = Field("", description="the figure or the words")
    note: str = Field("", description="what qualifies it")


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
    """A saved assessment: its inputs, the versions that decided it, its recommendation."""

    answers: Answers = Field(description="the nine answers as given (defaults applied)")
    context: Context = Field(description="the context with its defaults applied")
    unsure: list[str] = Field(description='the questions answered "I\'m not sure"')
    rules_version: str = Field(description="the rules' version when it was made")
    cost_model_version: str = Field(description="the cost model's version when it was made")
    prices_as_of: str = Field(description="the date of the API prices it used")
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


@router.post(
    "/assessments",
    operation_id="create_assessment",
    summary="Recommend, and keep the assessment under an unguessable id",
    response_class=CanonicalJSON,
    status_code=201,
    response_model=AssessmentCreated,
    responses={
        201: {"description": "The stored assessment's id, links and recommendation"},
        **problems(429, 503),
    },
    dependencies=[JSON_ONLY],
)
def post_assessment(
    request: Request,
    body: Annotated[AssessmentRequest, Body(openapi_examples=ASSESSMENT_EXAMPLES)],
    store: Store,
) -> Response:
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
    operation_id="get_assessment",
    summary="A saved assessment: its inputs, versions and recommendation",
    response_class=CanonicalJSON,
    response_model=Assessment,
    responses={
        200: {"description": "The stored assessment"},
        **problems(503, described={404: "No assessment with this id"}),
    },
)
def get_assessment(request: Request, assessment_id: str, store: Store) -> Response:
    found = readable(request, assessment_id, store)
    if found is None:
        raise no_assessment()
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


def not_yours() -> ProblemException:
    """Another team's shared assessment: it may read it, not change it."""
    message = "Only the team that made this assessment may change it."
    found = entry("/path/assessment_id", "not_owner", message, field="id")
    return ProblemException(FORBIDDEN, message, [found])


@router.patch(
    "/assessments/{assessment_id}",
    operation_id="share_assessment",
    summary="Share an assessment with every API key, or stop sharing it",
    response_class=CanonicalJSON,
    response_model=Assessment,
    responses={
        200: {"description": "The assessment"},
        **problems(
            415,
            503,
            described={
                403: "Another team's assessment (shared): only its own team may change it",
                404: "No assessment with this id that this key may read",
            },
        ),
    },
    dependencies=[JSON_ONLY],
)
def patch_assessment(request: Request, assessment_id: str, body: Sharing, store: Store) -> Response:
    """Only keys of the team that made it (any caller while keys are off); needs `write`."""
    found = readable(request, assessment_id, store)
    if found is None:
        raise no_assessment()
    team = team_of(request)
    if team is not None and (found.owner is None or found.owner.team != team):
        raise not_yours()
    if not store.set_shared(assessment_id, body.shared):
        raise no_assessment()
    return CanonicalJSON(json_bytes(describe(replace(found, shared=body.shared))))
