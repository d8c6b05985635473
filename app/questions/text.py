"""The catalogue's words (data/questions.toml) and sentences built from them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


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


def describe_change(name: str, old: Any, new: Any) -> str:
    """'With at least 200 labelled examples', 'If citations were not required', ..."""
    old, new = _plain(old), _plain(new)
    more = isinstance(new, int | float) and not isinstance(new, bool) and new > old
    bound = "at least" if more else "at most"
    if name == "labelled_examples":
        return f"With {bound} {new:,} labelled examples"
    if name == "latency_p99_ms":
        return f"With a p99 latency target of {new:,} ms"
    if name == "ml_capability":
        return f"With an ML team at capability {new}"
    if name == "budget_usd":
        return f"With a budget of {bound} ${new:,.0f}"
    if name == "citations_required":
        return "If citations were required" if new else "If citations were not required"
    option = catalogue_text().question(name).options.get(str(new), str(new))
    label = catalogue_text().question(name).label.rstrip("?").lower()
    return f"If the answer to '{label}' were '{option}'"
