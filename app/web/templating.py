"""Jinja2: autoescaped, strict about undefined names, with the few filters the pages need."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def usd(value: Any) -> str:
    if value is None:
        return "n/a"
    number = float(value)
    return f"${number:,.2f}" if abs(number) < 100 else f"${number:,.0f}"


def number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


@cache
def templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    t = Jinja2Templates(env=env)
    t.env.filters["usd"] = usd
    t.env.filters["number"] = number
    return t
