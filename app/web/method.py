"""/method: everything the recommendation rests on, in words, for a reviewer to audit."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.cost_model.catalogue import load_catalogue
from app.cost_model.constants import load_constants
from app.http.templating import templates
from app.questions.catalogue import question_catalogue
from app.rules.catalogue import load_rules
from app.rules.proposal_catalogue import load_proposal_catalogue
from app.views import method as page
from app.web.results import current_versions

router = APIRouter(include_in_schema=False)


@router.get("/method", response_class=HTMLResponse)
def method(request: Request) -> HTMLResponse:
    catalogue = load_catalogue()
    return templates().TemplateResponse(
        request,
        "method.html",
        {
            "questions": question_catalogue(),
            "rules": load_rules(),
            "rule_rows": page.rule_rows(),
            "must_rows": page.must_rows(),
            "managed_rows": page.managed_rows(),
            "notice_rows": page.notice_rows(),
            "energy_rows": page.energy_rows(),
            "measured_rows": page.measured_rows(),
            "proposal": load_proposal_catalogue(),
            "constants": list(load_constants().table.values()),
            "models": [asdict(m) for m in catalogue.plan_models],
            "gpus": [asdict(g) for g in catalogue.gpus.values()],
            "versions": current_versions(),
        },
    )
