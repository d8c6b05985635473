"""How old a price may be before a reader is told, from one dated parameter.

Prices move (RunPod Secure Cloud's H100 rose from $3.49 to $3.99 in six weeks of 2026), so every
hourly or per-token price carries the date it was read, and one reviewed over
`max_age_months` before the prices' review date is stale: still used, but flagged wherever a
person or a client reads it. The age is reckoned from the review date in data/prices.toml
`[freshness]`, never the wall clock, so the same versions give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from app.cost_model.prices import price_data


@dataclass(frozen=True, slots=True)
class Freshness:
    max_age_months: int
    reviewed: str
    """The day the prices were last reviewed (YYYY-MM-DD): ages are reckoned from it."""
    source: str

    @property
    def cutoff(self) -> str:
        """The oldest date a price may carry and not be stale (YYYY-MM-DD)."""
        day = date.fromisoformat(self.reviewed)
        months = day.year * 12 + day.month - 1 - self.max_age_months
        year, month = divmod(months, 12)
        return date(year, month + 1, min(day.day, 28)).isoformat()


@cache
def freshness() -> Freshness:
    section = price_data()["freshness"]  # prices.toml, parsed once
    assert isinstance(section, dict)
    return Freshness(
        int(section["max_age_months"]), str(section["reviewed"]), str(section["source"])
    )


def is_stale(as_of: str) -> bool:
    """Whether a price read on `as_of` is older than the documented age at the review date."""
    return as_of[:10] < freshness().cutoff


def stale_note(as_of: str) -> str:
    """What a reader is told beside a stale price; empty for a current one."""
    if not is_stale(as_of):
        return ""
    f = freshness()
    return (
        f"older than {f.max_age_months} months when the prices were reviewed on {f.reviewed}, "
        "so it may have changed: check it"
    )
