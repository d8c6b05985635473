"""The catalogue's words (data/questions.toml) and sentences built from them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app import toml_data


@dataclass(frozen=True, slots=True)
class QuestionText:
    id: str
    label: str
    help: str
    unit: str | None
    options: dict[str, str]
    name: str
    """What error messages call it: "The compute budget", "Requests per month"."""
    missing: str
    """The message when it is left unanswered, written for this question."""
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
            name=str(r["name"]),
            missing=str(r["missing"]),
            unsure=r.get("unsure"),
        )
        for r in rows
    )


@cache
def catalogue_text() -> CatalogueText:
    doc = toml_data.load(Path(__file__).parent / "data" / "questions.toml")
    return CatalogueText(str(doc["version"]), _rows(doc["questions"]), _rows(doc["context"]))
