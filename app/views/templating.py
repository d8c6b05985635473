"""The one Jinja environment: the results page, the error pages and the PDF report.

Autoescaped and strict about undefined names. The filters are the vocabulary's formatters
(app/vocabulary), so a template formats money and counts exactly as the rows do. The page and
the report share their blocks as partials under templates/partials/, never as copies.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

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
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["usd"] = numbers.usd
    env.filters["count"] = numbers.count
    env.filters["approach"] = words.approach
    env.filters["approach_in_sentence"] = words.approach_in_sentence
    env.filters["line"] = words.line
    env.filters["method"] = words.method
    env.filters["cite"] = sources.cite
    env.filters["api_model"] = words.api_model_name
    env.filters["breakable"] = breakable
    env.filters["name_in_words"] = name_in_words
    return env
