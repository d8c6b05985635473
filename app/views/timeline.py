"""The whole project's timeline, from the guide's budget and timeline table (001).

The plan's `timeline_weeks` is the row of 001's table its shape matches; 001 gives those rows as
the project's weeks, and adds that replacing a frontier API is a project of its own ("12 to 20
weeks"; "The fine-tuning is maybe 30% of the project"). Page 1 gives the project's weeks and
names the fine-tuning's share, never the table row's GPU ("LoRA on 1x A100" beside a plan on
another GPU): the basis is the row's project shape only.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.result import Recommendation
from app.rules.result.tenants import TenantWork
from app.vocabulary import numbers
from app.vocabulary.sources import CITATIONS

API_REPLACEMENT_WEEKS = (12, 20)
"""001's table: "Production frontier API replacement ... QLoRA + self-hosted serving ... 12 to
20 weeks"."""

FINE_TUNING_SHARE = 0.3
"""001: "The fine-tuning is maybe 30% of the project"."""

API_REPLACEMENT_SHAPE = "Production frontier API replacement"
SOURCE = f"{CITATIONS['001']}, budget and timeline table"


@dataclass(frozen=True, slots=True)
class Timeline:
    weeks: tuple[int, int]
    fine_tuning_weeks: tuple[int, int]
    shape: str
    """The project shape of 001's row, in words, without its GPU."""
    tenants: str = ""
    """The weeks the tenants after the first add, and how they compare with the guide's row
    for many tenants; empty for one tenant."""

    @property
    def value(self) -> str:
        low, high = self.weeks
        return f"{low} to {high} weeks for the whole project"

    @property
    def note(self) -> str:
        low, high = self.fine_tuning_weeks
        share = f"about {low} week" if low == high == 1 else f"about {_span(low, high)} weeks"
        text = (
            f"The fine-tuning is maybe 30% of it ({share}); the rest is data, evaluation, "
            f"serving and rollout ({SOURCE}: \u201c{self.shape}\u201d)."
        )
        return f"{text} {self.tenants}" if self.tenants else text


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"{low} to {high}"


def replaces_api(r: Recommendation) -> bool:
    """A fine-tuned model, self-hosted, replacing the frontier API the team calls today."""
    p = r.cost.payback
    if r.plan.fine_tuning_approach is None or p is None or p.versus != "api":
        return False
    plan = r.cost.serving_plans.get(p.line)
    return plan is not None and plan.kind == "self_host"


def project_timeline(r: Recommendation) -> Timeline | None:
    """The project's weeks, or None when nothing is trained (no row of 001's table applies)."""
    if r.plan.timeline_weeks is None or r.plan.fine_tuning_approach is None:
        return None
    work = r.cost.training.tenants if r.cost.training is not None else None
    extra = work.weeks if work is not None else (0, 0)
    if replaces_api(r):
        shape = API_REPLACEMENT_SHAPE
        weeks = (API_REPLACEMENT_WEEKS[0] + extra[0], API_REPLACEMENT_WEEKS[1] + extra[1])
    else:
        weeks = r.plan.timeline_weeks
        shape = (r.plan.timeline_basis or "").split(":", 1)[0].strip()
    share = tuple(max(1, round(w * FINE_TUNING_SHARE)) for w in weeks)
    return Timeline(weeks, (share[0], share[1]), shape, _tenants(work))


def _tenants(work: TenantWork | None) -> str:
    """'It includes 8 to 10 weeks for the 11 tenants after the first, each with its own test
    set, runs and evaluation.', then the guide's weeks where they apply."""
    if work is None:
        return ""
    low, high = work.weeks
    many = "tenant" if work.further == 1 else "tenants"
    text = (
        f"It includes {_span(low, high)} {'week' if high == 1 else 'weeks'} for the "
        f"{numbers.count(work.further)} {many} after the first, each with its own test set, "
        "runs and evaluation."
    )
    return f"{text} {work.guide.weeks_sentence}" if work.guide is not None else text
