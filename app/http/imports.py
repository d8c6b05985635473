"""Reopening an assessment from an uploaded report: one way for the API and the pages.

The route stays free for other requests throughout: the upload is read in a worker process
(app.report.upload_worker) and awaited, the database write runs in the thread pool, and the
recommendation under the app's recommendation slots (app.http.compute). Each refusal is one
log line saying why, never the parser's own chatter, and comes back as an ImportRefused that
the API answers in JSON and the pages as a page.
"""

from __future__ import annotations

import logging
from functools import partial

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from app.assessments.store import AssessmentStore, StoredAssessment
from app.http.compute import RETRY_AFTER_S as SLOT_RETRY_AFTER_S
from app.http.compute import RecommendationsBusyError, slots_of
from app.http.downloads import uploaded_file
from app.http.errors import ProblemException
from app.http.keys import owner_of
from app.http.prerender import after_save
from app.http.ratelimit import limits_of
from app.problems import RATE_LIMITED, REPORT_REFUSED, UNAVAILABLE, entry
from app.report.upload_worker import UploadBusyError, UploadReader
from app.services.assessments import ReportImportError, reopen_from_document

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5
"""What a 503 for busy upload readers asks a client to wait: a report reads in well under a
second, so the places free up within a few."""


KINDS = {429: RATE_LIMITED, 422: REPORT_REFUSED, 503: UNAVAILABLE}


class ImportRefused(Exception):  # noqa: N818  # a refusal, answered to the client
    """Why an upload did not become an assessment: the status, the field, a stable code, a
    message for people (a sentence ending in a full stop) and, for 429 and 503, when to try
    again."""

    def __init__(
        self, status: int, field: str, code: str, message: str, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.code = code
        self.message = message
        self.headers = {} if retry_after is None else {"Retry-After": str(retry_after)}

    def as_problem(self) -> ProblemException:
        """The refusal as the API answers it: about the upload as a whole."""
        found = entry("", self.code, self.message, field=self.field)
        return ProblemException(KINDS[self.status], self.message, [found], self.headers)


def upload_reader(request: Request) -> UploadReader:
    reader: UploadReader = request.app.state.upload_reader
    return reader


async def reopen_upload(request: Request, store: AssessmentStore) -> StoredAssessment:
    """The new assessment an upload reopens, counted against the client's assessments limit.

    Raises ImportRefused: 429 over the limit, 422 for a file that is not a report we can
    reopen (past a cap, too slow to read, altered, a title that breaks the rules), 503 when
    every upload reader, or every place to wait for a recommendation slot, is taken.
    """
    limits = limits_of(request)
    retry = await run_in_threadpool(limits.wait_needed, request, limits.assessments, "assessments")
    if retry is not None:
        message = f"Too many assessments from this address; try again in {retry} s."
        raise _refused(request, 0, ImportRefused(429, "rate", "rate_limited", message, retry))
    data = await uploaded_file(request)
    if not data:
        raise _refused(
            request,
            0,
            ImportRefused(422, "file", "file_missing", "Choose a Tunewise PDF report to import."),
        )
    try:
        document = await upload_reader(request).read(data)
    except UploadBusyError as exc:
        message = f"Too many reports are being read just now ({exc}); try again shortly."
        refusal = ImportRefused(503, "file", "upload_readers_busy", message, RETRY_AFTER_S)
        raise _refused(request, len(data), refusal) from exc
    except ValueError as exc:  # past a cap, unreadable, too slow to read, not a report
        message = f"This is not a report we can reopen: {exc}."
        refusal = ImportRefused(422, "file", "report_unreadable", message)
        raise _refused(request, len(data), refusal) from exc
    try:
        return await run_in_threadpool(
            partial(
                reopen_from_document,
                document,
                store,
                saved=after_save(request, store),
                compute=slots_of(request).compute,
                owner=owner_of(request),
            )
        )
    except RecommendationsBusyError as exc:
        message = "Too many recommendations are being computed just now; try again shortly."
        refusal = ImportRefused(503, "file", "recommendations_busy", message, SLOT_RETRY_AFTER_S)
        raise _refused(request, len(data), refusal) from exc
    except ReportImportError as exc:  # altered, no longer valid, a title that breaks the rules
        message = f"This is not a report we can reopen: {exc}."
        refusal = ImportRefused(422, "file", "report_invalid", message)
        raise _refused(request, len(data), refusal) from exc


def _refused(request: Request, size: int, refusal: ImportRefused) -> ImportRefused:
    """The one log line of a refused upload."""
    client = request.client.host if request.client else "unknown"
    log.warning(
        "import refused (%d, %d bytes from %s): %s", refusal.status, size, client, refusal.message
    )
    return refusal
