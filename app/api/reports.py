"""The PDF report of an assessment, cached by its inputs and versions, and its import."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.assessments import NOT_FOUND, describe
from app.api.deps import Store
from app.api.ratelimit import limits_of
from app.api.recommendations import CanonicalJSON, json_object
from app.assessments.importing import import_report
from app.assessments.store import AssessmentStore
from app.canonical import canonical_json
from app.report.render import Paper, report_key
from app.report.worker import ReportBusyError, ReportTimeoutError, render_pdf_isolated

router = APIRouter(prefix="/api/v1", tags=["reports"])
MAX_UPLOAD_BYTES = 20_000_000


_known_reports: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()
_KNOWN_MAX = 4096
_known_lock = threading.Lock()


def _remember(assessment_id: str, paper: str, known: tuple[str, str]) -> None:
    with _known_lock:
        _known_reports[(assessment_id, paper)] = known
        while len(_known_reports) > _KNOWN_MAX:
            _known_reports.popitem(last=False)


def _etag(key: str) -> str:
    return f'"{key[:40]}"'


def _filename(title: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60] or "assessment"
    return f"tunewise-{safe}.pdf"


@router.get(
    "/assessments/{assessment_id}/report.pdf",
    summary="The assessment's PDF report (PDF/A-3b, with its inputs attached as JSON)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, 404: {}, 503: {}},
)
def report_pdf(
    request: Request,
    assessment_id: str,
    store: Store,
    paper: Annotated[Literal["a4", "letter"], Query(description="a4 or letter")] = "a4",
) -> Response:
    return report_response(request, assessment_id, store, paper)


def report_response(
    request: Request, assessment_id: str, store: AssessmentStore, paper: Paper
) -> Response:
    """The report's bytes: from the shared cache, or rendered once (rate-limited) and cached.
    The API route and the results page's download link both answer through here.

    A saved assessment never changes, so its report key and file name are remembered per
    process: a repeat download is one read of the cached bytes, without loading the assessment.
    """
    known = _known_reports.get((assessment_id, paper))
    stored = None
    if known is None:
        stored = store.get(assessment_id)
        if stored is None:
            return JSONResponse(NOT_FOUND, status_code=404)
        known = (report_key(stored, paper), _filename(stored.title))
        _remember(assessment_id, paper, known)
    key, filename = known
    headers = {
        "ETag": _etag(key),
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    pdf = store.cached_report(key)
    if pdf is None:
        stored = stored or store.get(assessment_id)
        if stored is None:
            return JSONResponse(NOT_FOUND, status_code=404)
        limits_of(request).check(request, limits_of(request).reports, "report renders")
        settings = request.app.state.settings
        started = time.perf_counter()
        try:
            pdf = render_pdf_isolated(
                stored,
                paper,
                timeout_s=settings.report_timeout_s,
                max_workers=settings.report_workers,
            )
        except (ReportBusyError, ReportTimeoutError) as exc:
            return JSONResponse(
                {"detail": [{"field": "report", "message": f"{exc}; try again shortly."}]},
                status_code=503,
                headers={"Retry-After": "10"},
            )
        request.app.state.metrics.report_render.observe(time.perf_counter() - started)
        store.store_report(key, pdf)
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post(
    "/assessments/import",
    summary="Reopen an assessment from its PDF report (application/pdf body or a file upload)",
    status_code=201,
    response_class=CanonicalJSON,
    responses=json_object(201, "The reopened assessment"),
)
async def import_assessment(request: Request, store: Store) -> Response:
    limits_of(request).check(request, limits_of(request).assessments, "assessments")
    data = await uploaded_file(request)
    if not data:
        return _unprocessable("file", "Choose a Tunewise PDF report to import.")
    try:
        stored = import_report(data, store)
    except ValueError as exc:
        return _unprocessable("file", f"This is not a report we can reopen: {exc}.")
    body = describe(stored)
    return CanonicalJSON(
        canonical_json(body), status_code=201, headers={"Location": body["links"]["self"]}
    )


async def uploaded_file(request: Request) -> bytes:
    """The bytes of a multipart upload's `file` field, or of a raw body."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await request.body()
    async with request.form() as form:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return b""
        return await upload.read()


def _unprocessable(field: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": [{"field": field, "message": message}]}, status_code=422)
