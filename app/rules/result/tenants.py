"""What each tenant after the first adds to a fine-tuning programme, as the result says it.

Kept beside result.py (`TrainingSummary.tenants` is declared there with this type). One run
for each further tenant costed 60 tenants at $87; each tenant is a small project of its own
(its locked test set, a few bounded runs on its own examples, its own evaluation), and where
that figure and the guide's own for ten or more tenants part, the result says so.
"""

from __future__ import annotations

from pydantic import Field

from app.rules.result import Result, Usd, UsdRange


class GuideFigure(Result):
    """The guide's budget and timeline row for a project of many tenants, against the plan."""

    row: str = Field(description="the guide's row, in words")
    usd: tuple[int, int] = Field(description="the guide's compute budget, fewest and most")
    weeks: tuple[int, int] = Field(description="the guide's weeks, fewest and most")
    source: str = Field(description="where the row comes from, as a reader cites it")
    usd_within: bool = Field(description="the programme's expected cost is within `usd`")
    weeks_within: bool = Field(description="the plan's weeks are within `weeks`")
    cost_sentence: str = Field(description="how the programme's cost compares, for a person")
    weeks_sentence: str = Field(description="how the plan's weeks compare, for a person")


class TenantWork(Result):
    """The tenants after the first: each with its own locked test set, its own bounded runs
    and its own evaluation, on the settings the search found on the first tenant's data."""

    tenants: int = Field(description="all tenants, the first included")
    further: int = Field(description="tenants after the first, each costed as below")
    examples_each: int = Field(description="examples each tenant's runs train on")
    test_set_examples_each: int = Field(description="examples in each tenant's locked test set")
    runs_each: int = Field(description="bounded training runs for each further tenant")
    evaluations_each: int = Field(
        description="evaluations for each further tenant: its test set scored on its chosen "
        "adapter and the base model, priced as a run that trains nothing"
    )
    per_evaluation_usd: Usd = Field(description="one such evaluation, expected")
    per_tenant_usd: Usd = Field(
        description="one further tenant: `runs_each` runs plus `evaluations_each` evaluations"
    )
    per_tenant_usd_range: UsdRange
    total_usd: Usd = Field(
        description="every further tenant together: the part of the programme's `total_usd` "
        "that is theirs"
    )
    weeks: tuple[int, int] = Field(
        description="the weeks they add to the plan's timeline (already in it), fewest and most"
    )
    days_each: tuple[float, float] = Field(
        description="working days each further tenant takes, fewest and most"
    )
    guide: GuideFigure | None = Field(
        None, description="the guide's row for ten or more tenants; null for fewer"
    )
