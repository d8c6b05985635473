"""The results page's training table: the planned method's figures, already in words.

The rest of the page reads rows shared with the report (app/views/rows.py) and the summary
(app/views/summary.py). A recalculated view is the same page rendered with other assumptions,
so nothing here, or in the page's script, formats a figure twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.result import Recommendation
from app.vocabulary import numbers, words


@dataclass(frozen=True, slots=True)
class PlannedTraining:
    per_experiment: str
    total: str
    total_range: str
    gpu_hours_per_experiment: str
    peak_memory: str


def planned_training(r: Recommendation) -> PlannedTraining | None:
    """The planned training programme's figures, or None when nothing is trained."""
    t = r.cost.training
    if t is None:
        return None
    return PlannedTraining(
        per_experiment=numbers.usd(t.per_experiment_usd),
        total=numbers.usd(t.total_usd),
        total_range=numbers.usd_range(t.total_usd_range.low, t.total_usd_range.high),
        gpu_hours_per_experiment=numbers.hours(t.gpu_hours_per_experiment),
        peak_memory=f"{numbers.gigabytes(t.peak_memory_gb)} per GPU on "
        + words.gpus(t.gpu, t.gpu_count),
    )
