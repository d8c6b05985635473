"""The PDF report of an assessment (GET) and reopening an assessment from one (POST)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.assessments import Assessment, describe
from app.api.recommendations import CanonicalJSON
from app.canonical import json_bytes
from app.http.deps import Store
from app.http.downloads import report_response
from app.http.errors import NOT_FOUND, ErrorBody
from app.http.imports import ImportRefused, reopen_upload
from app.views.recipe import RecipeFormat, recipe_file

router = APIRouter(prefix="/api/v1", tags=["reports"])

IMPORT_BODY = {
    "required": True,
    "description": "A Tunewise PDF report: the PDF itself, or a form upload in the field `file`.",
    "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}
"""The import's body: FastAPI can't see it, as the route reads the request itself."""


@router.get(
    "/assessments/{assessment_id}/report.pdf",
    summary="The assessment's PDF report (PDF/A-3b, with its inputs attached as JSON)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, 404: {}, 503: {}},
)
async def report_pdf(
    request: Request,
    assessment_id: str,
    store: Store,
    paper: Annotated[Literal["a4", "letter"], Query(description="a4 or letter")] = "a4",
) -> Response:
    return await report_response(request, assessment_id, store, paper)


NO_RECIPE = {
    "detail": [
        {
            "field": "assessment_id",
            "message": "This assessment trains nothing, so it has no training recipe.",
        }
    ]
}


@router.get(
    "/assessments/{assessment_id}/recipe",
    summary="The plan's training recipe as a file a trainer reads: a TRL script or an axolotl "
    "config, with the values the estimate was computed from",
    response_class=Response,
    responses={
        200: {
            "description": "The recipe file (attachment), deterministic for the assessment",
            "content": {"text/x-python": {}, "application/yaml": {}},
        },
        404: {"description": "No such assessment, or its plan trains nothing", "model": ErrorBody},
    },
)
def get_recipe(
    assessment_id: str,
    store: Store,
    format: Annotated[  # noqa: A002 (the query parameter's public name)
        RecipeFormat,
        Query(description="`trl` (a Python script for TRL's SFTTrainer) or `axolotl` (YAML)"),
    ] = "trl",
) -> Response:
    found = store.get(assessment_id)
    if found is None:
        return CanonicalJSON(json_bytes(NOT_FOUND), status_code=404)
    made = recipe_file(found.result, format)
    if made is None:
        return CanonicalJSON(json_bytes(NO_RECIPE), status_code=404)
    return Response(
        made.text.encode("utf-8"),
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


@router.post(
    "/assessments/import",
    summary="Reopen an assessment from its PDF report (application/pdf body or a file upload)",
    status_code=201,
    response_class=CanonicalJSON,
    response_model=Assessment,
    responses={
        201: {"description": "The reopened assessment"},
        413: {"description": "The upload is larger than the limit", "model": ErrorBody},
        422: {"description": "Not a Tunewise report that can be reopened", "model": ErrorBody},
        429: {"description": "Too many assessments from this client", "model": ErrorBody},
        503: {
            "description": "Every upload reader is busy; try again after Retry-After seconds",
            "model": ErrorBody,
        },
    },
    openapi_extra={"requestBody": IMPORT_BODY},
)
async def import_assessment(request: Request, store: Store) -> Response:
    try:
        stored = await reopen_upload(request, store)
    except ImportRefused as refused:
        return JSONResponse(
            {"detail": [{"field": refused.field, "message": refused.message}]},
            status_code=refused.status,
            headers=refused.headers,
        )
    body = describe(stored)
    return CanonicalJSON(
        json_bytes(body), status_code=201, headers={"Location": body["links"]["self"]}
    )
