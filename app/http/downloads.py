"""The PDF download and the upload, answered the same way for the API and the pages.

A saved assessment never changes, so its report key and file name are remembered per process:
a repeat download is one read of the cached bytes, without loading the assessment. The A4
report is usually in the cache before the first download too: app.http.prerender renders it
when the assessment is saved.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from app.assessments.store import AssessmentStore, StoredAssessment
from app.http.disposition import content_disposition
from app.http.errors import ProblemException, no_assessment, problem_answer
from app.http.etags import none_match
from app.http.prerender import ReportPrerenderer
from app.http.ratelimit import limits_of
from app.problems import UNAVAILABLE, entry
from app.report.keys import report_key
from app.report.worker import (
    ReportBusyError,
    ReportQueueFullError,
    ReportTimeoutError,
    render_pdf_async,
)
from app.views.paper import Paper

MAX_UPLOAD_BYTES = 20_000_000
RETRY_AFTER_S = 10
"""What a 503 for a busy renderer asks a client to wait: about what a queue of renders takes
to clear on two workers."""


class KnownReports:
    """Report key and Content-Disposition per (assessment id, paper), newest kept: the app's.

    Each app built by create_app() holds one (app.state.known_reports), so tests and several
    apps in one process never share it; a saved assessment never changes, so entries never go
    stale, only old.
    """

    def __init__(self, limit: int = 4096) -> None:
        self._entries: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, assessment_id: str, paper: str) -> tuple[str, str] | None:
        return self._entries.get((assessment_id, paper))

    def remember(self, assessment_id: str, paper: str, known: tuple[str, str]) -> None:
        with self._lock:
            self._entries[(assessment_id, paper)] = known
            while len(self._entries) > self._limit:
                self._entries.popitem(last=False)


def _etag(key: str) -> str:
    return f'"{key[:40]}"'


async def report_response(
    request: Request, assessment_id: str, store: AssessmentStore, paper: Paper
) -> Response:
    """The report's bytes: from the shared cache, or rendered once (rate-limited) and cached.
    The API route and the results page's download link both answer through here.

    A saved assessment never changes, so its report key and file name are remembered per
    process: a repeat download is one read of the cached bytes, without loading the assessment.
    The route is async and the database reads run in the thread pool for their few
    milliseconds only; a render is awaited (app.report.slots), so renders waiting for a slot
    hold no thread and `/healthz` and the pages stay fast under a storm of downloads.
    """
    cache: KnownReports = request.app.state.known_reports
    known = cache.get(assessment_id, paper)
    stored = None
    if known is None:
        stored = await run_in_threadpool(store.get, assessment_id)
        if stored is None:
            return problem_answer(request, no_assessment())
        known = (report_key(stored, paper), content_disposition(stored.title, paper))
        cache.remember(assessment_id, paper, known)
    key, disposition = known
    return await _answer(request, assessment_id, store, paper, key, disposition, stored)


async def view_report_response(
    request: Request, view: StoredAssessment, store: AssessmentStore, paper: Paper
) -> Response:
    """The report of a recalculated view (a shared link's "Download PDF report"): rendered on
    demand within the same limits, and cached by its own key, which covers the assumptions."""
    key = report_key(view, paper)
    disposition = content_disposition(view.title, paper, recalculated=True)
    return await _answer(request, view.id, store, paper, key, disposition, view)


async def _answer(
    request: Request,
    assessment_id: str,
    store: AssessmentStore,
    paper: Paper,
    key: str,
    disposition: str,
    stored: StoredAssessment | None,
) -> Response:
    """The PDF for a known key: 304 for the browser's copy, the cache, or a render."""
    headers = {
        "ETag": _etag(key),
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": disposition,
    }
    if none_match(request.headers.get("if-none-match"), headers["ETag"]):  # W/"…" matches too
        return Response(status_code=304, headers=headers)
    pdf = await run_in_threadpool(store.cached_report, key)
    if pdf is None:
        pdf_or_error = await _render(request, assessment_id, store, paper, key, stored)
        if isinstance(pdf_or_error, Response):
            return pdf_or_error
        pdf = pdf_or_error
    return Response(pdf, media_type="application/pdf", headers=headers)


def busy(request: Request, message: str) -> Response:
    """503 for a render that cannot happen now: every slot and queue place taken, or the
    deadline passed. Retry-After says when a retry is worth it."""
    said = f"{message}; try again shortly."
    refused = ProblemException(
        UNAVAILABLE,
        said,
        [entry("", "report_renderers_busy", said, field="report")],
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )
    return problem_answer(request, refused)


async def _render(
    request: Request,
    assessment_id: str,
    store: AssessmentStore,
    paper: Paper,
    key: str,
    stored: StoredAssessment | None,
) -> bytes | Response:
    """A cache miss: wait for the background render of this report if one is running (and
    read its result), else render it here, within the same deadline."""
    settings = request.app.state.settings
    started = time.monotonic()
    prerender: ReportPrerenderer = request.app.state.prerender
    if await prerender.wait_for_async(key, settings.report_timeout_s):
        pdf = await run_in_threadpool(store.cached_report, key)
        if pdf is not None:
            return pdf
    stored = stored or await run_in_threadpool(store.get, assessment_id)
    if stored is None:
        return problem_answer(request, no_assessment())
    limits = limits_of(request)
    await run_in_threadpool(limits.check, request, limits.reports, "report renders")
    remaining = settings.report_timeout_s - (time.monotonic() - started)
    began = time.perf_counter()
    try:
        pdf = await render_pdf_async(
            stored,
            paper,
            timeout_s=remaining,
            max_workers=settings.report_workers,
            max_waiting=settings.report_queue,
        )
    except ReportQueueFullError as exc:
        request.app.state.metrics.report_refusals.labels(reason="queue_full").inc()
        return busy(request, str(exc))
    except (ReportBusyError, ReportTimeoutError) as exc:
        request.app.state.metrics.report_refusals.labels(reason="deadline").inc()
        return busy(request, str(exc))
    request.app.state.metrics.report_render.observe(time.perf_counter() - began)
    await run_in_threadpool(store.store_report, key, pdf)
    return pdf


async def uploaded_file(request: Request) -> bytes:
    """The bytes of a multipart upload's `file` field, or of a raw body."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await request.body()
    async with request.form() as form:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return b""
        return await upload.read()
