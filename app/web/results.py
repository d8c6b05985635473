"""The results page of a saved assessment, its recalculation with other assumptions, the
re-run with today's data, the list of recent assessments and the method page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.assessments.store import StoredAssessment
from app.http.compute import slots_of
from app.http.deps import Store
from app.http.downloads import report_response, view_report_response
from app.http.imports import ImportRefused, reopen_upload
from app.http.ratelimit import limits_of
from app.http.templating import templates
from app.services import assessments as service
from app.views import page
from app.views.document import document_of
from app.views.paper import Paper
from app.views.recalculation import ASSUMPTION_FIELDS, recalculation_rows
from app.web.forms import parse_context
from app.web.recent import recent_of
from app.web.state import context_query, form_value, state_query

router = APIRouter(include_in_schema=False)


def stale_versions(stored: StoredAssessment) -> list[tuple[str, str, str]]:
    """(what, then, now) for every version that moved since the assessment was made."""
    return page.stale_versions(
        {
            "rules_version": stored.rules_version,
            "cost_model_version": stored.cost_model_version,
            "prices_as_of": stored.prices_as_of,
        }
    )


def _not_found(request: Request) -> HTMLResponse:
    return templates().TemplateResponse(request, "not_found.html", {}, status_code=404)


def page_context(stored: StoredAssessment) -> dict[str, Any]:
    """The document (app/views/document.py), which the PDF reads too, and what only the page
    has: the share and change links, the versions, the assumptions form, the chart's script."""
    result = stored.result
    doc = document_of(stored)
    return {
        "assessment": stored,
        "result": result,
        "doc": doc,
        **page.chart_bindings(doc),
        "change_answers": "/wizard/check?"
        + state_query(
            result.answers.model_dump(mode="json"),
            tuple(result.unsure),
            **context_query(result.context.model_dump(mode="json")),
        ),
        "gpus": page.gpu_choices(),
        "api_choices": page.api_choices(),
        "stale": stale_versions(stored),
        "request_body": stored.request_body,
        "assumption_values": {f: form_value(getattr(result.context, f)) for f in ASSUMPTION_FIELDS},
    }


@router.get("/assessments", response_class=HTMLResponse)
def recent(request: Request, store: Store) -> HTMLResponse:
    return _recent_page(request, store, None)


def _recent_page(
    request: Request, store: Store, error: str | None, refused: ImportRefused | None = None
) -> HTMLResponse:
    """This browser's own recent assessments (or everyone's, where the listing is shared) and
    the import form; with an import's refusal, its message beside the file field, its status
    (422, 429, 503) and its Retry-After."""
    recent = recent_of(request)
    return templates().TemplateResponse(
        request,
        "assessments.html",
        {
            "recent": recent.listing(request, store, 50),
            "shared": recent.shared,
            "error": refused.message if refused else error,
        },
        status_code=refused.status if refused else 422 if error else 200,
        headers=refused.headers if refused else None,
    )


@router.post("/assessments/import", response_class=HTMLResponse)
async def import_upload(request: Request, store: Store) -> Response:
    """The browser's way in for a report PDF; the API's is POST /api/v1/assessments/import.
    Both go through app.http.imports: the same limit, reader and refusals, here as a page."""
    try:
        stored = await reopen_upload(request, store)
    except ImportRefused as refused:
        return await run_in_threadpool(_recent_page, request, store, None, refused)
    response = RedirectResponse(f"/assessments/{stored.id}", status_code=303)
    recent_of(request).remember(request, response, stored.id)
    return response


def _assumption_changes(request: Request) -> dict[str, str]:
    """The assumptions a recalculated view's URL carries, as typed (empty ones mean "saved")."""
    return {k: v for k, v in request.query_params.items() if k in ASSUMPTION_FIELDS and v}


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def results(request: Request, assessment_id: str, store: Store) -> Response:
    """The saved assessment, or a view of it with other assumptions when the URL carries them:
    the whole page, its links and its PDF follow them, so the URL can be shared as it is. The
    page's script fetches this same page to recalculate in place (one source of truth)."""
    stored = store.get(assessment_id)
    if stored is None:
        return _not_found(request)
    changes = _assumption_changes(request)
    view = stored
    errors: dict[str, str] = {}
    if changes:
        overrides, errors = parse_context(changes)
        if not errors:
            moved = _recalculated(request, stored, overrides)
            view = stored if moved.context == stored.context else moved
    context = page_context(view)
    recalculated = view.recalculated_from is not None
    query = urlencode(changes) if recalculated else ""
    context.update(
        {
            "stale": stale_versions(stored),
            "recalculated": recalculated,
            "recalculation": recalculation_rows(stored.context, view.result)
            if recalculated
            else (),
            "view_query": f"?{query}" if query else "",
            "errors": errors,
            "assumption_values": {
                f: changes.get(f, context["assumption_values"][f]) for f in ASSUMPTION_FIELDS
            },
        }
    )
    response = templates().TemplateResponse(
        request, "results.html", context, status_code=422 if errors else 200
    )
    recent_of(request).remember(request, response, stored.id)
    return response


@router.get("/assessments/{assessment_id}/rerun", response_class=HTMLResponse)
def rerun(request: Request, assessment_id: str, store: Store) -> Response:
    stored = store.get(assessment_id)
    if stored is None:
        return _not_found(request)
    limits_of(request).check(request, limits_of(request).recommendations, "recommendations")
    rows_ = page.rerun_rows(stored.result, service.rerun(stored, compute=slots_of(request).compute))
    return templates().TemplateResponse(
        request,
        "rerun.html",
        {
            "assessment": stored,
            "rows": rows_,
            "stale": stale_versions(stored),
            "rerun_query": state_query(
                stored.answers, stored.unsure, **context_query(stored.context)
            ),
        },
    )


@router.get("/assessments/{assessment_id}/report.pdf")
async def report_download(
    request: Request, assessment_id: str, store: Store, paper: str = "a4"
) -> Response:
    """The results page's download link: the API's report, without needing an API key. With
    assumptions in the query, the report of that recalculated view, rendered on demand."""
    if paper not in ("a4", "letter"):
        return _not_found(request)
    size: Paper = "letter" if paper == "letter" else "a4"
    changes = _assumption_changes(request)
    if not changes:
        return await report_response(request, assessment_id, store, size)
    view = await run_in_threadpool(_view_or_page, request, assessment_id, store, changes)
    if isinstance(view, Response):
        return view
    return await view_report_response(request, view, store, size)


def _view_or_page(
    request: Request, assessment_id: str, store: Store, changes: dict[str, str]
) -> StoredAssessment | Response:
    """The recalculated view a PDF link asks for, or the page that says what is wrong with its
    assumptions (404 for an unknown id); a recalculation is CPU work, so it runs in a thread."""
    stored = store.get(assessment_id)
    if stored is None:
        return _not_found(request)
    overrides, errors = parse_context(changes)
    if errors:
        return results(request, assessment_id, store)
    return _recalculated(request, stored, overrides)


def _recalculated(
    request: Request, stored: StoredAssessment, overrides: dict[str, Any]
) -> StoredAssessment:
    """The view with other assumptions (on a thread): a new recommendation, so counted against
    the client's recommendations limit and computed under a slot."""
    limits_of(request).check(request, limits_of(request).recommendations, "recommendations")
    return service.recalculated_view(stored, overrides, compute=slots_of(request).compute)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (JSON, the PDF)."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The OpenAPI reference from the app's own copy of Swagger UI (intranets have no CDN)."""
    return templates().TemplateResponse(request, "docs.html", {})
