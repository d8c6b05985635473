"""The nine question pages, the check page and the optional deployment step."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.cost_model.catalogue import load_catalogue
from app.cost_model.prices import DEFAULT_REFERENCE_API_MODEL, reference_api_choices
from app.http.compute import slots_of
from app.http.deps import Store
from app.http.prerender import after_save
from app.http.ratelimit import limits_of
from app.http.templating import templates
from app.services import assessments as service
from app.services.titles import DEFAULT_TITLE, TITLE_MAX, title_problem
from app.vocabulary import words
from app.web.forms import (
    CONTEXT_FIELDS,
    build_request,
    context_entry,
    known_answers,
    parse_answer,
    parse_context,
    unsure_ids,
)
from app.web.recent import recent_of
from app.web.state import form_value, state_pairs, state_query
from app.web.steps import QUESTION_IDS, Step, next_slug, previous_slug, step_by_slug, steps
from app.web.wizard_proposal import carried_values, proposal_page

router = APIRouter(include_in_schema=False)


def _unsure(request: Request, form: Any | None = None) -> tuple[str, ...]:
    source = form if form is not None else request.query_params
    return unsure_ids(source.getlist)


def _question_page(
    request: Request,
    step: Step,
    answers: dict[str, Any],
    unsure: tuple[str, ...],
    *,
    typed: str | None = None,
    error: str | None = None,
    returning: bool = False,
) -> HTMLResponse:
    others = [(k, v) for k, v in state_pairs(answers, unsure) if step.id not in (k, v)]
    current = typed if typed is not None else form_value(answers.get(step.id, ""))
    back = previous_slug(step)
    back_url = (
        f"/wizard/check?{state_query(answers, unsure)}"
        if returning
        else (f"/wizard/{back}?{state_query(answers, unsure)}" if back else "/")
    )
    return templates().TemplateResponse(
        request,
        "wizard/question.html",
        {
            "step": step,
            "total": len(steps()),
            "question": step.question,
            "hidden": others,
            "value": current,
            "unsure_checked": step.id in unsure,
            "error": error,
            "back_url": back_url,
            "returning": returning,
        },
        status_code=422 if error else 200,
    )


@router.get("/", response_class=HTMLResponse)
def start(request: Request, store: Store) -> HTMLResponse:
    recent = recent_of(request)
    return templates().TemplateResponse(
        request,
        "start.html",
        {
            "recent": recent.listing(request, store, 5),
            "shared": recent.shared,
            "first": steps()[0].slug,
        },
    )


@router.get("/wizard/check", response_class=HTMLResponse)
def check(request: Request) -> Response:
    unsure = _unsure(request)
    answers = known_answers(request.query_params, unsure)
    missing = [s for s in steps() if s.id not in answers]
    if missing:
        return RedirectResponse(
            f"/wizard/{missing[0].slug}?{state_query(answers, unsure)}", status_code=303
        )
    rows = [
        {
            "step": s,
            "answer": _answer_text(s.question, answers[s.id], s.id in unsure),
            "change": f"/wizard/{s.slug}?{state_query(answers, unsure, **{'return': 'check'})}",
        }
        for s in steps()
    ]
    return templates().TemplateResponse(
        request,
        "wizard/check.html",
        {
            "rows": rows,
            "next_url": "/wizard/deployment?"
            + state_query(answers, unsure, **_context_passthrough(request)),
            "back_url": f"/wizard/{steps()[-1].slug}?{state_query(answers, unsure)}",
        },
    )


def _context_passthrough(request: Request) -> dict[str, str]:
    """Context carried through the check page (a re-run starts with the saved context)."""
    return {c: request.query_params[c] for c in CONTEXT_FIELDS if request.query_params.get(c)}


def _answer_text(question: dict[str, Any], value: Any, unsure: bool) -> str:
    qid = str(question["id"])
    return words.unsure_answer(qid, value) if unsure else words.answer(qid, value)


def context_choices() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """The catalogue fields as selects: (the blank option's words, [(id, name)])."""
    cat = load_catalogue()
    return {
        "base_model": (
            "Let Tunewise propose one",
            [(m.id, f"{m.name} ({m.params_b:g}B)") for m in cat.plan_models],
        ),
        "gpu": ("The cheapest GPU that fits", [(g.id, g.name) for g in cat.gpus_by_price]),
        "reference_api_model": (
            f"{words.api_model_name(DEFAULT_REFERENCE_API_MODEL)} (the default)",
            [
                (c.id, c.label)
                for c in reference_api_choices()
                if c.id != DEFAULT_REFERENCE_API_MODEL
            ],
        ),
    }


def _deployment_page(
    request: Request,
    answers: dict[str, Any],
    unsure: tuple[str, ...],
    typed: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    return templates().TemplateResponse(
        request,
        "wizard/deployment.html",
        {
            "fields": [context_entry(c) for c in CONTEXT_FIELDS],
            "hidden": state_pairs(answers, unsure),
            "typed": typed,
            "errors": errors,
            "back_url": f"/wizard/check?{state_query(answers, unsure)}",
            "title_max": TITLE_MAX,
            "choices": context_choices(),
        },
        status_code=422 if errors else 200,
    )


@router.get("/wizard/deployment", response_class=HTMLResponse)
def deployment(request: Request) -> Response:
    unsure = _unsure(request)
    answers = known_answers(request.query_params, unsure)
    if len(answers) < len(QUESTION_IDS):
        return RedirectResponse(f"/wizard/check?{state_query(answers, unsure)}", status_code=303)
    typed = {c: request.query_params[c] for c in CONTEXT_FIELDS if c in request.query_params}
    return _deployment_page(request, answers, unsure, typed, {})


@router.post("/wizard/deployment", response_class=HTMLResponse)
async def create_assessment(request: Request, store: Store) -> Response:
    form = await request.form()
    unsure = _unsure(request, form)
    plain = {k: str(v) for k, v in form.items()}
    answers = known_answers(plain, unsure)
    if len(answers) < len(QUESTION_IDS):
        return RedirectResponse(f"/wizard/check?{state_query(answers, unsure)}", status_code=303)
    context, errors = parse_context(plain)
    title = plain.get("title", "").strip() or DEFAULT_TITLE
    problem = title_problem(title)
    if problem:
        errors["title"] = problem[0].upper() + problem[1:]
    typed = {k: plain.get(k, "") for k in (*CONTEXT_FIELDS, "title")}
    if errors:
        return _deployment_page(request, answers, unsure, typed, errors)
    if plain.get("next") == "proposal":  # the optional step: the team's proposal
        return proposal_page(request, answers, unsure, carried_values(plain), {}, {})
    limits_of(request).check(request, limits_of(request).assessments, "assessments")
    # in a thread: the save is database work, and the recommendation hops to a slot
    stored = await run_in_threadpool(
        partial(
            service.create_assessment,
            store,
            build_request(answers, context, unsure),
            title,
            saved=after_save(request, store),
            compute=slots_of(request).compute,
        )
    )
    response = RedirectResponse(f"/assessments/{stored.id}", status_code=303)
    recent_of(request).remember(request, response, stored.id)
    return response


@router.get("/wizard/{slug}", response_class=HTMLResponse)
def question(request: Request, slug: str) -> Response:
    step = step_by_slug(slug)
    if step is None:
        return templates().TemplateResponse(request, "not_found.html", {}, status_code=404)
    unsure = _unsure(request)
    answers = known_answers(request.query_params, unsure)
    returning = request.query_params.get("return") == "check"
    return _question_page(request, step, answers, unsure, returning=returning)


@router.post("/wizard/{slug}", response_class=HTMLResponse)
async def answer(request: Request, slug: str) -> Response:
    step = step_by_slug(slug)
    if step is None:
        return templates().TemplateResponse(request, "not_found.html", {}, status_code=404)
    form = await request.form()
    plain = {k: str(v) for k, v in form.items()}
    unsure = _unsure(request, form)
    answers = known_answers({k: v for k, v in plain.items() if k != step.id}, unsure)
    returning = plain.get("return") == "check"
    value, error = parse_answer(step.id, plain, unsure)
    if error is not None:
        answers.pop(step.id, None)
        return _question_page(
            request,
            step,
            answers,
            unsure,
            typed=plain.get(step.id, ""),
            error=error,
            returning=returning,
        )
    answers[step.id] = value
    target = "check" if returning else next_slug(step)
    return RedirectResponse(f"/wizard/{target}?{state_query(answers, unsure)}", status_code=303)
