"""Assessments, one path: validate, recommend, store; recalculate; reopen from a PDF.

The wizard, the API and the report import all call these functions, so an assessment made in
the browser, through the API or from a PDF is made the same way. Rate limits and the shape of
an HTTP answer stay with the callers; what an assessment is stays here. So does the moment
an assessment is saved: callers may pass `saved`, called with each new assessment (the web
layer renders its report ahead there), so no way of saving one can forget it. And so does
where the recommendation is computed: callers may pass `compute` (the web layer's runs it under
the app's recommendation slots, off the event loop); the default calls recommend() here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from app.assessments.store import AssessmentStore, Owner, StoredAssessment
from app.questions import RecommendationRequest
from app.rules.recommend import input_hash, recommend
from app.rules.result import Recommendation
from app.services.titles import DEFAULT_TITLE, title_problem

Compute = Callable[[RecommendationRequest], Recommendation]
"""Computes a request's recommendation: recommend() itself, or the same under a slot."""

Saved = Callable[[StoredAssessment], None]
"""Told of each new assessment once it is stored; it must return at once and never raise."""


class ReportImportError(ValueError):
    """The upload is not a Tunewise report that can be reopened; the message says why."""


def create_assessment(
    store: AssessmentStore,
    request: RecommendationRequest,
    title: str = DEFAULT_TITLE,
    created_at: datetime | None = None,
    *,
    saved: Saved | None = None,
    compute: Compute = recommend,
    owner: Owner | None = None,
    shared: bool = False,
) -> StoredAssessment:
    """Recommend for a validated request and keep it under a new unguessable id (made with
    an API key: `owner` records the key and its team)."""
    return _save(store, compute(request), title, created_at, saved, owner, shared)


def _save(  # each is one fact about the new assessment
    store: AssessmentStore,
    result: Recommendation,
    title: str,
    created_at: datetime | None,
    saved: Saved | None,
    owner: Owner | None = None,
    shared: bool = False,
) -> StoredAssessment:
    """The one place an assessment is stored, and `saved` told of it."""
    stored = store.create(
        title=title, result=result, created_at=created_at, owner=owner, shared=shared
    )
    if saved is not None:
        saved(stored)
    return stored


def recalculate(
    stored: StoredAssessment, overrides: Mapping[str, Any], *, compute: Compute = recommend
) -> Recommendation:
    """The saved answers with some context changed (the results page's assumptions panel).

    The saved assessment is not changed. Raises pydantic's ValidationError when an override is
    not a valid context value, with a message per field.
    """
    body = stored.request_body
    body["context"] = {**body["context"], **overrides}
    return compute(RecommendationRequest.model_validate(body))


def recalculated_view(
    stored: StoredAssessment, overrides: Mapping[str, Any], *, compute: Compute = recommend
) -> StoredAssessment:
    """The saved assessment seen with other assumptions: what a shared recalculated link and its
    PDF show. Same id, title and date; never stored, and it remembers the saved context."""
    return StoredAssessment.of(
        recalculate(stored, overrides, compute=compute),
        assessment_id=stored.id,
        title=stored.title,
        created_at=stored.created_at,
        recalculated_from=stored.context,
    )


def rerun(stored: StoredAssessment, *, compute: Compute = recommend) -> Recommendation:
    """The saved answers and context with today's rules, cost model and prices."""
    return compute(RecommendationRequest.model_validate(stored.request_body))


def reopen_from_document(
    document: Mapping[str, Any],
    store: AssessmentStore,
    *,
    saved: Saved | None = None,
    compute: Compute = recommend,
    owner: Owner | None = None,
) -> StoredAssessment:
    """A new assessment from a Tunewise report's embedded document (app.report.attachment's
    read_attachment, run in an upload worker), titled as the report was and dated now.

    What the input hash covers is checked by recomputing it; the title, which it does not
    cover, meets the rules of a new title; the report's own date is not used, as nothing
    vouches for it. Raises ReportImportError with a message for people when the inputs are
    no longer valid, do not reproduce the hash, or the title breaks a rule.
    """
    title = _imported_title(document["title"])
    try:
        request = RecommendationRequest.model_validate(
            {k: document[k] for k in ("answers", "context", "unsure", "proposal") if k in document}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = f"the report's inputs are not valid today ({where}: {first['msg']})"
        raise ReportImportError(message) from exc
    hashed = input_hash(request.answers, request.context, request.unsure, request.proposal)
    if hashed != document["input_hash"]:  # checked first: an altered file costs no recommendation
        message = "the report's inputs do not match its input hash: the file was altered"
        raise ReportImportError(message)
    return _save(store, compute(request), title, None, saved, owner)


def _imported_title(title: str) -> str:
    """A report's title under the rules a new one meets (the wizard's: blank is untitled)."""
    title = title.strip() or DEFAULT_TITLE
    problem = title_problem(title)
    if problem:
        raise ReportImportError(f"the report's title cannot be used: {problem}")
    return title
