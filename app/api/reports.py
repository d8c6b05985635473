"""The PDF report of an assessment (GET) and reopening an assessment from one (POST)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api.assessments import Assessment, describe, readable
from app.api.recommendations import CanonicalJSON
from app.canonical import json_bytes
from app.http.deps import Store
from app.http.downloads import report_response
from app.http.errors import NOT_FOUND, ErrorBody
from app.http.imports import ImportRefused, reopen_upload
from app.http.keys import team_of

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
    """With API keys on, the assessment is read first to check the caller's team (the
    per-process cache of report keys would skip that read)."""
    if team_of(request) is not None:
        found = await run_in_threadpool(readable, request, assessment_id, store)
        if found is None:
            return JSONResponse(NOT_FOUND, status_code=404)
    return await report_response(request, assessment_id, store, paper)


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
