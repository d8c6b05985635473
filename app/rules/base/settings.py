"""The plan's settings (data/plan.toml), typed."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from app import toml_data
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
    tenant_weeks: tuple[int, int] = (0, 0)
    """The weeks the tenants after the first add (already in `weeks`), fewest and most."""

    def applies(self, approach: str, examples: int, tenants: int, params_b: float) -> bool:
        return (
            (self.approach is None or approach == self.approach)
            and (self.min_examples is None or examples >= self.min_examples)
            and (self.min_tenants is None or tenants >= self.min_tenants)
            and (self.min_params_b is None or params_b >= self.min_params_b)
        )


@dataclass(frozen=True, slots=True)
class TenantSettings:
    """What each tenant after the first adds to a programme (plan.toml `[tenants]`): its own
    bounded runs, its own evaluation and the working days they take, and the guide's figure
    for a project of ten or more tenants, which the plan's figures are compared with."""

    runs_each: int
    evaluations_each: int
    days_each: tuple[float, float]
    """Working days each further tenant adds, fewest and most."""
    working_days_per_week: int
    guide_min_tenants: int
    guide_usd: tuple[int, int]
    guide_weeks: tuple[int, int]
    guide_row: str
    sources: dict[str, str]
    """Each parameter's source, cited as a reader cites it, by name (`runs_each`, `guide`...)."""

    def runs(self, tenants: int) -> int:
        """The runs after the search: `runs_each` for each tenant after the first."""
        return max(0, tenants - 1) * self.runs_each

    def evaluations(self, tenants: int) -> int:
        """The evaluations after the search's: `evaluations_each` for each further tenant."""
        return max(0, tenants - 1) * self.evaluations_each

    def weeks(self, tenants: int) -> tuple[int, int]:
        """The weeks the further tenants add, fewest and most, rounded up: one tenant after
        another, as the guide's table counts them."""
        further, week = max(0, tenants - 1), self.working_days_per_week
        low, high = self.days_each
        return (math.ceil(further * low / week - 1e-9), math.ceil(further * high / week - 1e-9))


@dataclass(frozen=True, slots=True)
class PlanSettings:
    version: str
    default_model: str
    multilingual_model: str
    under_100ms_model: str
    experiments: dict[str, int]
    timeline: tuple[TimelineRow, ...]
    tenants: TenantSettings
    test_set_min: int
    test_set_max: int
    evaluation_source: str
    review_questions: tuple[ReviewQuestion, ...]

    def project_timeline(
        self, approach: str, examples: int, tenants: int, params_b: float
    ) -> TimelineRow | None:
        """The first row of 001's table whose tests hold, with the weeks the further tenants
        add (each its own test set, runs and evaluation); None when no row holds."""
        row = next(
            (r for r in self.timeline if r.applies(approach, examples, tenants, params_b)), None
        )
        if row is None or tenants <= 1:
            return row
        extra = self.tenants.weeks(tenants)
        weeks = (row.weeks[0] + extra[0], row.weeks[1] + extra[1])
        return replace(row, weeks=weeks, tenant_weeks=extra)


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


def _tenants(t: dict[str, Any]) -> TenantSettings:
    guide = t["guide"]
    return TenantSettings(
        runs_each=int(t["runs_each"]["value"]),
        evaluations_each=int(t["evaluations_each"]["value"]),
        days_each=(float(t["days_each"]["low"]), float(t["days_each"]["high"])),
        working_days_per_week=int(t["working_days_per_week"]["value"]),
        guide_min_tenants=int(guide["min_tenants"]),
        guide_usd=(int(guide["usd"][0]), int(guide["usd"][1])),
        guide_weeks=(int(guide["weeks"][0]), int(guide["weeks"][1])),
        guide_row=str(guide["row"]),
        sources={name: cite(str(row["source"])) for name, row in t.items()},
    )


@cache
def plan_settings() -> PlanSettings:
    doc = toml_data.load(Path(__file__).parents[1] / "data" / "plan.toml")
    exp = {k: int(v) for k, v in doc["experiments"].items() if k != "source"}
    return PlanSettings(
        version=str(doc["version"]),
        default_model=str(doc["base_model"]["default"]),
        multilingual_model=str(doc["base_model"]["multilingual"]),
        under_100ms_model=str(doc["base_model"]["under_100ms"]),
        experiments=exp,
        timeline=tuple(_timeline_row(r) for r in doc["timeline"]),
        tenants=_tenants(doc["tenants"]),
        test_set_min=int(doc["evaluation"]["test_set_min"]),
        test_set_max=int(doc["evaluation"]["test_set_max"]),
        evaluation_source=str(doc["evaluation"]["source"]),
        review_questions=tuple(
            ReviewQuestion(str(q["text"]), str(q["applies"]), cite(str(q["source"])))
            for q in doc["review"]["questions"]
        ),
    )
