"""The plan's settings (data/plan.toml), typed."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from app.vocabulary.sources import cite


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One row of 001's budget and timeline table, with the tests that select it."""

    when: str
    weeks: tuple[int, int]
    row: str
    approach: str | None = None
    min_examples: int | None = None
    min_tenants: int | None = None
    min_params_b: float | None = None

    def applies(self, approach: str, examples: int, tenants: int, params_b: float) -> bool:
        return (
            (self.approach is None or approach == self.approach)
            and (self.min_examples is None or examples >= self.min_examples)
            and (self.min_tenants is None or tenants >= self.min_tenants)
            and (self.min_params_b is None or params_b >= self.min_params_b)
        )


@dataclass(frozen=True, slots=True)
class PlanSettings:
    version: str
    default_model: str
    multilingual_model: str
    under_100ms_model: str
    experiments: dict[str, int]
    timeline: tuple[TimelineRow, ...]
    test_set_min: int
    test_set_max: int
    evaluation_source: str
    review_questions: tuple[ReviewQuestion, ...]


@dataclass(frozen=True, slots=True)
class ReviewQuestion:
    """A question for the architecture review and the results it fits (plan.toml)."""

    text: str
    applies: str
    """"all", "fine_tuning", "retrieval" or "prompting"."""
    source: str


def _timeline_row(r: dict[str, Any]) -> TimelineRow:
    return TimelineRow(
        when=str(r["when"]),
        weeks=(int(r["weeks"][0]), int(r["weeks"][1])),
        row=str(r["row"]),
        approach=str(r["approach"]) if "approach" in r else None,
        min_examples=int(r["min_examples"]) if "min_examples" in r else None,
        min_tenants=int(r["min_tenants"]) if "min_tenants" in r else None,
        min_params_b=float(r["min_params_b"]) if "min_params_b" in r else None,
    )


@cache
def plan_settings() -> PlanSettings:
    text = resources.files("app.rules").joinpath("data", "plan.toml").read_text("utf-8")
    doc: dict[str, Any] = tomllib.loads(text)
    exp = {k: int(v) for k, v in doc["experiments"].items() if k != "source"}
    return PlanSettings(
        version=str(doc["version"]),
        default_model=str(doc["base_model"]["default"]),
        multilingual_model=str(doc["base_model"]["multilingual"]),
        under_100ms_model=str(doc["base_model"]["under_100ms"]),
        experiments=exp,
        timeline=tuple(_timeline_row(r) for r in doc["timeline"]),
        test_set_min=int(doc["evaluation"]["test_set_min"]),
        test_set_max=int(doc["evaluation"]["test_set_max"]),
        evaluation_source=str(doc["evaluation"]["source"]),
        review_questions=tuple(
            ReviewQuestion(str(q["text"]), str(q["applies"]), cite(str(q["source"])))
            for q in doc["review"]["questions"]
        ),
    )
