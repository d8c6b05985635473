"""The catalogue's words (data/questions.toml) and sentences built from them."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from app.vocabulary.numbers import usd_exact


@dataclass(frozen=True, slots=True)
class QuestionText:
    id: str
    label: str
    help: str
    unit: str | None
    options: dict[str, str]
    unsure: str | None = None
    """Why the conservative default stands in when a person answers "I'm not sure"."""


@dataclass(frozen=True, slots=True)
class CatalogueText:
    version: str
    questions: tuple[QuestionText, ...]
    context: tuple[QuestionText, ...]

    def question(self, qid: str) -> QuestionText:
        return next(q for q in self.questions + self.context if q.id == qid)


def _rows(rows: list[dict[str, Any]]) -> tuple[QuestionText, ...]:
    return tuple(
        QuestionText(
            id=str(r["id"]),
            label=str(r["label"]),
            help=str(r["help"]),
            unit=r.get("unit"),
            options={str(k): str(v) for k, v in r.get("options", {}).items()},
            unsure=r.get("unsure"),
        )
        for r in rows
    )


@cache
def catalogue_text() -> CatalogueText:
    raw = resources.files("app.questions").joinpath("data", "questions.toml").read_text("utf-8")
    doc = tomllib.loads(raw)
    return CatalogueText(str(doc["version"]), _rows(doc["questions"]), _rows(doc["context"]))


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


NUMBER_WORDS: dict[str, tuple[str, str]] = {
    "labelled_examples": ("With {} labelled examples", "{:,.0f}"),
    "latency_p99_ms": ("With a p99 latency target of {} ms", "{:,.0f}"),
    "ml_capability": ("With an ML team at capability {}", "{:.0f}"),
}
"""How each numeric answer reads, and how its values are written (the budget reads as money)."""


def _number(name: str, value: float) -> str:
    return usd_exact(value) if name == "budget_usd" else NUMBER_WORDS[name][1].format(value)


def describe_band(name: str, band: tuple[float, float | None], lowest: float) -> str:
    """A numeric answer's band in words: 'at least X' (unbounded above), 'at most Y' (down to
    the lowest allowed value), 'between X and Y', or the one value."""
    low, high = band
    if high is None:
        bound = f"at least {_number(name, low)}"
    elif low <= lowest:
        bound = f"at most {_number(name, high)}"
    elif low == high:
        bound = _number(name, low)
    else:
        bound = f"between {_number(name, low)} and {_number(name, high)}"
    if name == "budget_usd":
        return f"With a budget of {bound}"
    return NUMBER_WORDS[name][0].format(bound)


def describe_change(name: str, new: Any) -> str:
    """One answer set to one value: 'With 1,000 labelled examples', 'If citations were not
    required', "If the answer to '...' were '...'"."""
    new = _plain(new)
    if name in NUMBER_WORDS or name == "budget_usd":
        return describe_band(name, (float(new), float(new)), -math.inf)
    if name == "citations_required":
        return "If citations were required" if new else "If citations were not required"
    option = catalogue_text().question(name).options.get(str(new), str(new))
    label = catalogue_text().question(name).label.rstrip("?").lower()
    return f"If the answer to '{label}' were '{option}'"
