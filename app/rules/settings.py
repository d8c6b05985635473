"""The plan's settings (data/plan.toml), typed."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class TimelineRow:
    when: str
    weeks: tuple[int, int]
    row: str


@dataclass(frozen=True, slots=True)
class PlanSettings:
    version: str
    default_model: str
    multilingual_model: str
    under_100ms_model: str
    max_b_under_100ms: float
    warn_above_b_under_100ms: float
    experiments: dict[str, int]
    timeline: tuple[TimelineRow, ...]
    test_set_min: int
    test_set_max: int
    evaluation_source: str
    review_questions: tuple[str, ...]


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
        max_b_under_100ms=float(doc["base_model"]["max_b_under_100ms"]),
        warn_above_b_under_100ms=float(doc["base_model"]["warn_above_b_under_100ms"]),
        experiments=exp,
        timeline=tuple(
            TimelineRow(str(r["when"]), (int(r["weeks"][0]), int(r["weeks"][1])), str(r["row"]))
            for r in doc["timeline"]
        ),
        test_set_min=int(doc["evaluation"]["test_set_min"]),
        test_set_max=int(doc["evaluation"]["test_set_max"]),
        evaluation_source=str(doc["evaluation"]["source"]),
        review_questions=tuple(str(q) for q in doc["review"]["questions"]),
    )
