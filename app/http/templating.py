"""Jinja2 for the pages and the error pages: autoescaped, strict about undefined names.

The filters are the vocabulary's formatters (app/vocabulary), so a template formats money and
counts exactly as the PDF and the results page's script do.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from app.views.method import name_in_words
from app.vocabulary import numbers, sources, words

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def breakable(identifier: str) -> Markup:
    """An id or name that may wrap after each underscore (`min_examples<wbr>_lora`).

    A browser already wraps after a hyphen; an underscore gives it no break, so a long
    constant's name would otherwise set the width of its table column on a phone.
    """
    return Markup("_<wbr>").join(escape(part) for part in str(identifier).split("_"))


@cache
def templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    t = Jinja2Templates(env=env)
    t.env.filters["usd"] = numbers.usd
    t.env.filters["count"] = numbers.count
    t.env.filters["approach"] = words.approach
    t.env.filters["approach_in_sentence"] = words.approach_in_sentence
    t.env.filters["line"] = words.line
    t.env.filters["method"] = words.method
    t.env.filters["cite"] = sources.cite
    t.env.filters["api_model"] = words.api_model_name
    t.env.filters["breakable"] = breakable
    t.env.filters["name_in_words"] = name_in_words
    return t
