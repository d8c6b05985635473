"""/method: everything the recommendation rests on, in words, for a reviewer to audit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.http.templating import templates
from app.views import page

router = APIRouter(include_in_schema=False)


@router.get("/method", response_class=HTMLResponse)
def method(request: Request) -> HTMLResponse:
    return templates().TemplateResponse(request, "method.html", page.method_context())
