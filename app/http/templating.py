"""Jinja2 for the pages and the error pages: the one environment (app/views/templating.py),
which the PDF report renders with too, wrapped for Starlette's template responses."""

from __future__ import annotations

from functools import cache

from fastapi.templating import Jinja2Templates

from app.views.templating import TEMPLATES, breakable, environment

__all__ = ["TEMPLATES", "breakable", "templates"]


@cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(env=environment())
