"""The wizard as one ordered tuple of steps: the nine questions, then the check page, then the
optional deployment step. Each question page follows the GOV.UK question-page anatomy: a back
link, one question, help text, Continue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.questions.catalogue import question_catalogue


@dataclass(frozen=True, slots=True)
class Step:
    slug: str
    number: int
    question: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.question["id"])

    @property
    def kind(self) -> str:
        return str(self.question["type"])


def steps() -> tuple[Step, ...]:
    questions = question_catalogue()["questions"]
    return tuple(Step(q["id"].replace("_", "-"), i, q) for i, q in enumerate(questions, 1))


def step_by_slug(slug: str) -> Step | None:
    return next((s for s in steps() if s.slug == slug), None)


def next_slug(step: Step) -> str:
    all_steps = steps()
    return all_steps[step.number].slug if step.number < len(all_steps) else "check"


def previous_slug(step: Step) -> str | None:
    return steps()[step.number - 2].slug if step.number > 1 else None


QUESTION_IDS = tuple(q["id"] for q in question_catalogue()["questions"])
