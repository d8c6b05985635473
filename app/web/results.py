"""The results page of a saved assessment, its recalculation with other assumptions, the
re-run with today's data, the list of recent assessments and the method page."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from app.assessments.store import StoredAssessment
from app.canonical import json_bytes
from app.cost_model import COST_MODEL_VERSION
from app.cost_model.catalogue import load_catalogue
from app.cost_model.constants import load_constants
from app.cost_model.prices import prices_as_of
from app.http.deps import Store
from app.http.downloads import report_response, uploaded_file
from app.http.errors import NOT_FOUND
from app.http.prerender import after_save
from app.http.templating import templates
from app.questions.catalogue import question_catalogue
from app.report.chart import page_svg_uri
from app.rules.catalogue import load_rules
from app.rules.result import Recommendation
from app.services import assessments as service
from app.services.assessments import ReportImportError, reopen_from_pdf
from app.views import rows
from app.views.chart import build_chart
from app.views.results import bindings
from app.views.summary import executive_summary
from app.vocabulary import numbers, words
from app.web.forms import parse_context
from app.web.state import context_query, form_value, state_query

router = APIRouter(include_in_schema=False)

ASSUMPTION_FIELDS = (
    "monthly_requests",
    "input_tokens_per_request",
    "output_tokens_per_request",
    "gpu",
    "reference_api_model",
    "horizon_months",
)


def current_versions() -> dict[str, str]:
    return {
        "rules_version": load_rules().version,
        "cost_model_version": COST_MODEL_VERSION,
        "prices_as_of": prices_as_of(),
    }


def stale_versions(stored: StoredAssessment) -> list[tuple[str, str, str]]:
    """(what, then, now) for every version that moved since the assessment was made."""
    then = {
        "rules_version": stored.rules_version,
        "cost_model_version": stored.cost_model_version,
        "prices_as_of": stored.prices_as_of,
    }
    now = current_versions()
    return [(k, then[k], now[k]) for k in now if then[k] != now[k]]


def _not_found(request: Request) -> HTMLResponse:
    return templates().TemplateResponse(request, "not_found.html", {}, status_code=404)


def page_context(stored: StoredAssessment, result: Recommendation) -> dict[str, Any]:
    chart = build_chart(result.cost)
    return {
        "assessment": stored,
        "result": result,
        "bind": bindings(result),
        "plan_rows": rows.plan_rows(result),
        "cost_lines": rows.cost_line_rows(result),
        "line_labels": rows.line_labels(result),
        "price_sources": rows.price_source_rows(result),
        "brief": executive_summary(result),
        "change_answers": "/wizard/check?"
        + state_query(
            result.answers.model_dump(mode="json"),
            tuple(result.unsure),
            **context_query(result.context.model_dump(mode="json")),
        ),
        "answer_rows": rows.answer_rows(result),
        "assumption_rows": rows.assumption_rows(result),
        "context_rows": rows.context_rows(result),
        "gpus": list(load_catalogue().gpus.values()),
        "stale": stale_versions(stored),
        "request_body": stored.request_body,
        "chart": chart.model_dump(mode="json"),
        "chart_svg": page_svg_uri(chart),
        "assumption_values": {f: form_value(getattr(result.context, f)) for f in ASSUMPTION_FIELDS},
    }


@router.get("/assessments", response_class=HTMLResponse)
def recent(request: Request, store: Store) -> HTMLResponse:
    return _recent_page(request, store, None)


def _recent_page(request: Request, store: Store, error: str | None) -> HTMLResponse:
    return templates().TemplateResponse(
        request,
        "assessments.html",
        {"recent": store.recent(50), "error": error},
        status_code=422 if error else 200,
    )


@router.post("/assessments/import", response_class=HTMLResponse)
async def import_upload(request: Request, store: Store) -> Response:
    """The browser's way in for a report PDF; the API's is POST /api/v1/assessments/import."""
    data = await uploaded_file(request)
    if not data:
        return _recent_page(request, store, "Choose a Tunewise PDF report to import")
    try:
        stored = reopen_from_pdf(data, store, saved=after_save(request, store))
    except ReportImportError as exc:
        return _recent_page(request, store, f"This is not a report we can reopen: {exc}")
    return RedirectResponse(f"/assessments/{stored.id}", status_code=303)


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def results(request: Request, assessment_id: str, store: Store) -> Response:
    stored = store.get(assessment_id)
    if stored is None:
        return _not_found(request)
    changes = {k: v for k, v in request.query_params.items() if k in ASSUMPTION_FIELDS and v}
    result = stored.result
    errors: dict[str, str] = {}
    recalculated = False
    if changes:
        overrides, errors = parse_context(changes)
        if not errors:
            result = service.recalculate(stored, overrides)
            recalculated = True
    context = page_context(stored, result)
    context.update(
        {
            "recalculated": recalculated,
            "errors": errors,
            "assumption_values": {
                f: changes.get(f, context["assumption_values"][f]) for f in ASSUMPTION_FIELDS
            },
        }
    )
    return templates().TemplateResponse(
        request, "results.html", context, status_code=422 if errors else 200
    )


@router.get("/assessments/{assessment_id}/rerun", response_class=HTMLResponse)
def rerun(request: Request, assessment_id: str, store: Store) -> Response:
    stored = store.get(assessment_id)
    if stored is None:
        return _not_found(request)
    rows_ = _rerun_rows(stored.result, service.rerun(stored))
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


def _rerun_rows(then: Recommendation, now: Recommendation) -> list[tuple[str, str, str]]:
    """(what, then, now) for the re-run page: the decision, the versions and the money."""

    def complements(r: Recommendation) -> str:
        return ", ".join(words.approach(c.value) for c in r.complements) or "None"

    found = [
        ("Recommendation", words.approach(then.approach.value), words.approach(now.approach.value)),
        (
            "Confidence",
            words.CONFIDENCE[then.confidence.level],
            words.CONFIDENCE[now.confidence.level],
        ),
        ("Complements", complements(then), complements(now)),
        ("Rules version", then.rules_version, now.rules_version),
        ("Cost model version", then.cost_model_version, now.cost_model_version),
        ("Prices as of", then.prices_as_of, now.prices_as_of),
    ]
    if then.cost.training or now.cost.training:
        found.append(
            (
                "Training programme",
                numbers.usd(then.cost.training.total_usd if then.cost.training else None),
                numbers.usd(now.cost.training.total_usd if now.cost.training else None),
            )
        )
    found.extend(
        (
            f"Monthly: {words.line(name)}",
            numbers.usd(value),
            numbers.usd(now.cost.monthly.get(name)),
        )
        for name, value in then.cost.monthly.items()
    )
    return found


@router.get("/assessments/{assessment_id}/report.pdf")
def report_download(
    request: Request, assessment_id: str, store: Store, paper: str = "a4"
) -> Response:
    """The results page's download link: the API's report, without needing an API key."""
    if paper not in ("a4", "letter"):
        return _not_found(request)
    return report_response(request, assessment_id, store, "letter" if paper == "letter" else "a4")


@router.get("/assessments/{assessment_id}/recalculate.json")
def recalculate(request: Request, assessment_id: str, store: Store) -> Response:
    """The assumptions panel's JSON: the page's figures already formatted (`bind`), the chart
    model (as POST /api/v1/recommendations?include=chart gives it) and the recommendation."""
    stored = store.get(assessment_id)
    if stored is None:
        return JSONResponse(NOT_FOUND, status_code=404)
    changes = {k: v for k, v in request.query_params.items() if k in ASSUMPTION_FIELDS and v}
    overrides, errors = parse_context(changes)
    if errors:
        detail = [{"field": f"context.{k}", "message": m} for k, m in errors.items()]
        return JSONResponse({"detail": detail}, status_code=422)
    result = service.recalculate(stored, overrides)
    document = {
        "bind": bindings(result),
        "chart": build_chart(result.cost).model_dump(mode="json"),
        "result": result.model_dump(mode="json"),
    }
    return Response(json_bytes(document), media_type="application/json")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (JSON, the PDF)."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The OpenAPI reference from the app's own copy of Swagger UI (intranets have no CDN)."""
    return templates().TemplateResponse(request, "docs.html", {})


@router.get("/method", response_class=HTMLResponse)
def method(request: Request) -> HTMLResponse:
    catalogue = load_catalogue()
    return templates().TemplateResponse(
        request,
        "method.html",
        {
            "questions": question_catalogue(),
            "rules": load_rules(),
            "constants": list(load_constants().table.values()),
            "models": [asdict(m) for m in catalogue.plan_models],
            "gpus": [asdict(g) for g in catalogue.gpus.values()],
            "versions": current_versions(),
        },
    )
