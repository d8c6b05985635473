"""The optional "team's proposal" step, after the deployment step.

A PM reviewing a team's fine-tuning proposal (001's reader) enters it here; the assessment is
then made with the proposal reviewed beside the recommendation. The answers, the deployment
values and the title travel as hidden fields, so the step holds no state of its own.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.http.compute import slots_of
from app.http.deps import Store
from app.http.prerender import after_save
from app.http.ratelimit import limits_of
from app.http.templating import templates
from app.questions import RecommendationRequest
from app.services import assessments as service
from app.services.titles import DEFAULT_TITLE, title_problem
from app.web.forms import CONTEXT_FIELDS, build_request, known_answers, parse_context, unsure_ids
from app.web.proposal_form import FIELDS, FORM_NAMES, PREFIX, parse_proposal
from app.web.recent import recent_of
from app.web.state import state_pairs, state_query
from app.web.steps import QUESTION_IDS

router = APIRouter(include_in_schema=False)


def proposal_page(
    request: Request,
    answers: dict[str, Any],
    unsure: tuple[str, ...],
    carried: dict[str, str],
    typed: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    """The step's page; `carried` holds the deployment values and the title as typed."""
    hidden = state_pairs(answers, unsure) + [(k, v) for k, v in carried.items() if v]
    back = {k: v for k, v in carried.items() if k in CONTEXT_FIELDS}
    return templates().TemplateResponse(
        request,
        "wizard/proposal.html",
        {
            "fields": FIELDS,
            "prefix": PREFIX,
            "hidden": hidden,
            "typed": typed,
            "errors": errors,
            "back_url": f"/wizard/deployment?{state_query(answers, unsure, **back)}",
        },
        status_code=422 if errors else 200,
    )


def carried_values(form: Any) -> dict[str, str]:
    """The deployment values and the title, as typed, to carry on."""
    return {k: str(form.get(k, "")).strip() for k in (*CONTEXT_FIELDS, "title")}


@router.get("/wizard/proposal", response_class=HTMLResponse)
def proposal_step(request: Request) -> Response:
    unsure = unsure_ids(request.query_params.getlist)
    answers = known_answers(request.query_params, unsure)
    if len(answers) < len(QUESTION_IDS):
        return RedirectResponse(f"/wizard/check?{state_query(answers, unsure)}", status_code=303)
    typed = {k: request.query_params[k] for k in FORM_NAMES if k in request.query_params}
    return proposal_page(request, answers, unsure, carried_values(request.query_params), typed, {})


@router.post("/wizard/proposal", response_class=HTMLResponse)
async def create_with_proposal(request: Request, store: Store) -> Response:
    form = await request.form()
    unsure = unsure_ids(form.getlist)
    plain = {k: str(v) for k, v in form.items()}
    answers = known_answers(plain, unsure)
    if len(answers) < len(QUESTION_IDS):
        return RedirectResponse(f"/wizard/check?{state_query(answers, unsure)}", status_code=303)
    carried = carried_values(plain)
    context, context_errors = parse_context(plain)
    title = carried["title"] or DEFAULT_TITLE
    if context_errors or title_problem(title):  # tampered: the deployment step says what
        back = {k: v for k, v in carried.items() if k in CONTEXT_FIELDS}
        url = f"/wizard/deployment?{state_query(answers, unsure, **back)}"
        return RedirectResponse(url, status_code=303)
    proposal, errors = parse_proposal(plain)
    typed = {k: plain.get(k, "") for k in FORM_NAMES}
    if proposal is None:
        return proposal_page(request, answers, unsure, carried, typed, errors)
    limits_of(request).check(request, limits_of(request).assessments, "assessments")
    plain_request = build_request(answers, context, unsure)
    body = RecommendationRequest.model_validate(
        {**plain_request.model_dump(), "proposal": proposal.model_dump()}
    )
    # in a thread: the save is database work, and the recommendation hops to a slot
    stored = await run_in_threadpool(
        partial(
            service.create_assessment,
            store,
            body,
            title,
            saved=after_save(request, store),
            compute=slots_of(request).compute,
        )
    )
    response = RedirectResponse(f"/assessments/{stored.id}", status_code=303)
    recent_of(request).remember(request, response, stored.id)
    return response
