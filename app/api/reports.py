"""The PDF report of an assessment (GET) and reopening an assessment from one (POST)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.assessments import Assessment, describe, readable
from app.api.recommendations import CanonicalJSON
from app.canonical import json_bytes
from app.http.deps import Store
from app.http.downloads import report_response
from app.http.errors import ProblemException, no_assessment, problem_answer
from app.http.imports import ImportRefused, reopen_upload
from app.http.keys import team_of
from app.http.openapi import problems
from app.http.query import KNOWN_QUERY_ONLY
from app.problems import NOT_FOUND, entry
from app.views.recipe import RecipeFormat, recipe_file

router = APIRouter(prefix="/api/v1", tags=["reports"], dependencies=[KNOWN_QUERY_ONLY])

IMPORT_BODY = {
    # Not `required`, though a request without a report is refused (422, documented): a
    # required body of two types makes openapi-python-client generate code that does not
    # import (its issue 1451), and both ways of sending the report are worth a client's while.
    "required": False,
    "description": "A Tunewise PDF report: the PDF itself, or a form upload in the field "
    "`file`. Without one the answer is 422.",
    "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "the PDF report",
                    }
                },
                "required": ["file"],
            }
        },
    },
}
"""The import's body: FastAPI can't see it, as the route reads the request itself."""

CACHING = {
    "ETag": {"description": "the report's version", "schema": {"type": "string"}},
    "Cache-Control": {"description": "private, for an hour", "schema": {"type": "string"}},
}
PDF = {
    "description": "The PDF report",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    "headers": {
        **CACHING,
        "Content-Disposition": {
            "description": "attachment, named after the title and the paper",
            "schema": {"type": "string"},
        },
    },
}
NOT_MODIFIED = {
    "description": "The copy named in If-None-Match is current: nothing is sent",
    "headers": CACHING,
}


@router.get(
    "/assessments/{assessment_id}/report.pdf",
    operation_id="get_report",
    summary="The assessment's PDF report (PDF/A-3b, with its inputs attached as JSON)",
    response_class=Response,
    responses={
        200: PDF,
        304: NOT_MODIFIED,
        **problems(
            described={
                404: "No assessment with this id",
                429: "Too many report renders from this client; try again after Retry-After",
                503: "Every renderer is busy, the render ran out of time, or the database is "
                "unavailable; try again after Retry-After seconds",
            }
        ),
    },
)
async def report_pdf(
    request: Request,
    assessment_id: str,
    store: Store,
    paper: Annotated[Literal["a4", "letter"], Query(description="a4 or letter")] = "a4",
) -> Response:
    """With API keys on, the assessment is read first to check the caller's team (the
    per-process cache of report keys would skip that read)."""
    if team_of(request) is not None:
        found = await run_in_threadpool(readable, request, assessment_id, store)
        if found is None:
            return problem_answer(request, no_assessment())
    return await report_response(request, assessment_id, store, paper)


def no_recipe() -> ProblemException:
    """The plan trains nothing (prompting, retrieval): there is no recipe to hand over."""
    message = "This assessment trains nothing, so it has no training recipe."
    found = entry("/path/assessment_id", "no_training_recipe", message, field="assessment_id")
    return ProblemException(NOT_FOUND, message, [found])


@router.get(
    "/assessments/{assessment_id}/recipe",
    operation_id="get_recipe",
    summary="The plan's training recipe as a file a trainer reads: a TRL script or an axolotl "
    "config, with the values the estimate was computed from",
    response_class=Response,
    responses={
        200: {
            "description": "The recipe file (attachment), deterministic for the assessment",
            "content": {
                "text/x-python": {"schema": {"type": "string", "format": "binary"}},
                "application/yaml": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **problems(503, described={404: "No assessment with this id, or its plan trains nothing"}),
    },
)
def get_recipe(
    request: Request,
    assessment_id: str,
    store: Store,
    format: Annotated[  # noqa: A002 (the query parameter's public name)
        RecipeFormat,
        Query(description="`trl` (a Python script for TRL's SFTTrainer) or `axolotl` (YAML)"),
    ] = "trl",
) -> Response:
    found = readable(request, assessment_id, store)  # another team's: 404, as for no such id
    if found is None:
        raise no_assessment()
    made = recipe_file(found.result, format)
    if made is None:
        raise no_recipe()
    return Response(
        made.text.encode("utf-8"),
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


@router.post(
    "/assessments/import",
    operation_id="import_assessment",
    summary="Reopen an assessment from its PDF report (application/pdf body or a file upload)",
    status_code=201,
    response_class=CanonicalJSON,
    response_model=Assessment,
    responses={
        201: {"description": "The reopened assessment"},
        **problems(
            described={
                422: "Not a Tunewise report that can be reopened (or an unknown query parameter)",
                429: "Too many assessments from this client; try again after Retry-After",
                503: "Every upload reader is busy, or the database is unavailable; try again "
                "after Retry-After seconds",
            }
        ),
    },
    openapi_extra={"requestBody": IMPORT_BODY},
)
async def import_assessment(request: Request, store: Store) -> Response:
    try:
        stored = await reopen_upload(request, store)
    except ImportRefused as refused:
        return problem_answer(request, refused.as_problem())
    body = describe(stored)
    return CanonicalJSON(
        json_bytes(body), status_code=201, headers={"Location": body["links"]["self"]}
    )
