"""The PDF report of an assessment (GET) and reopening an assessment from one (POST)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.api.assessments import Assessment, describe
from app.api.recommendations import CanonicalJSON
from app.canonical import json_bytes
from app.http.deps import Store
from app.http.downloads import report_response, uploaded_file
from app.http.errors import ErrorBody, unprocessable
from app.http.prerender import after_save
from app.http.ratelimit import limits_of
from app.services.assessments import ReportImportError, reopen_from_pdf

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
    },
    openapi_extra={"requestBody": IMPORT_BODY},
)
async def import_assessment(request: Request, store: Store) -> Response:
    limits_of(request).check(request, limits_of(request).assessments, "assessments")
    data = await uploaded_file(request)
    if not data:
        return unprocessable("file", "Choose a Tunewise PDF report to import.")
    try:
        stored = reopen_from_pdf(data, store, saved=after_save(request, store))
    except ReportImportError as exc:
        return unprocessable("file", f"This is not a report we can reopen: {exc}.")
    body = describe(stored)
    return CanonicalJSON(
        json_bytes(body), status_code=201, headers={"Location": body["links"]["self"]}
    )
