"""The options a PM chooses between and the recommendation's payback, as typed values.

Kept beside result.py (which they extend; `Costs.options` and `Costs.payback` are declared
there with these types): each option with the musts it meets, the recommendation with its
complements as one option with its parts, and the baseline it pays back against.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.rules.base.approaches import Approach
from app.rules.base.requirements import Must
from app.rules.result import CostLine, Driver, Result, Usd, UsdRange


class CostPart(Result):
    """One approach's share of the `recommended` line. The shares add up to the line's figures
    to the cent: the build is the sum of the parts' builds, the running cost the sum of their
    running costs, so nothing is counted twice (the model is paid once, by the fine-tuning
    part, at the prompt the retrieved context makes longer)."""

    approach: Approach
    line: CostLine = Field(
        description="the approach's own line, priced alone (its own figures are in `Costs` "
        "under this key)"
    )
    role: Literal["primary", "complement"] = Field(
        description="the recommendation itself, or what goes alongside it"
    )
    build_usd: Usd = Field(
        description="its share of the build: for fine-tuning, its whole programme (the figure "
        "the budget rule compared: the experiments and each further tenant's runs and "
        "evaluation); for "
        "retrieval, embedding the corpus once and a bounded search over its settings, each "
        "scored on the locked test set on the fine-tuned model"
    )
    build_usd_range: UsdRange
    experiments: int = Field(
        description="bounded runs of its search: training experiments, or retrieval settings "
        "scored on the test set"
    )
    tenant_runs: int = Field(
        description="fine-tuning: each further tenant's own bounded runs; 0 otherwise"
    )
    runs: int = Field(description="experiments plus tenant runs")
    monthly_serving_usd: Usd = Field(
        description="its share of the serving a month: for fine-tuning, serving the fine-tuned "
        "model with the retrieved context in every prompt; for retrieval, its infrastructure "
        "(embedding each query, re-embedding the corpus as it changes, the vector store)"
    )
    monthly_retraining_reserve_usd: Usd = Field(
        description="its share of the retraining reserve a month (fine-tuning only)"
    )
    monthly_usd: Usd = Field(description="serving plus retraining reserve, a month")
    monthly_usd_range: UsdRange


class CostOption(Result):
    """One option a PM chooses between, priced end to end on the model it runs on."""

    line: CostLine
    approach: Approach = Field(description="the approach the option stands for")
    label: str = Field(
        description="the option named by what it is: model, method and how it is served"
    )
    runs_on: str = Field(description="the model it runs on, in words")
    serving_kind: Literal["api", "hosted", "self_host"]
    status_quo: bool = Field(description="the line the others are measured against")
    recommended: bool = Field(description="the recommendation's own line")
    eligible: bool = Field(description="no rule rules it out; only eligible options 'win'")
    why_not: str | None = Field(description="why it is ruled out, for a person; null if eligible")
    price_source: str = Field(description="where its monthly price comes from, for a person")
    meets_requirements: bool = Field(
        default=True,
        description="it meets every must of the answers (`Costs.requirements`); only an option "
        "that does is what the recommendation pays back against",
    )
    fails_requirements: tuple[Must, ...] = Field(
        (),
        description="the musts it fails: `citations` or `fresh_facts` (it has no "
        "retrieval), `on_prem` (an API or a provider serves it)",
    )
    parts: tuple[CostPart, ...] = Field(
        (),
        description="for the `recommended` line: the approaches it combines, primary first, "
        "each with its share of the build and of the running cost (they add up to the line's "
        "`build_usd` and `monthly`); empty for a single approach's line",
    )

    @property
    def ruled_out(self) -> bool:
        """A rule rules it out (`why_not`), or it fails a must of the answers
        (`fails_requirements`): the one test of whether any text may advise it."""
        return not self.eligible or bool(self.fails_requirements)


class Payback(Result):
    """The recommendation against its baseline over the chart's months: the status quo when it
    meets every must of the answers, else the cheapest option that does."""

    line: CostLine = Field(
        description="the recommendation's line: `recommended` when it has complements, else "
        "its own approach's line"
    )
    versus: CostLine = Field(
        description="the baseline: the status quo when it meets every must, else the cheapest "
        "eligible option that does (by cumulative cost at the last month); the recommendation's "
        "own line when no other option meets them"
    )
    versus_reason: Literal[
        "status_quo", "cheapest_meeting_requirements", "nothing_else_meets_requirements"
    ] = Field("status_quo", description="why `versus` is the baseline")
    versus_meets_requirements: bool = Field(
        default=True, description="the baseline meets every must of the answers"
    )
    status_quo: CostLine | None = Field(
        None, description="the status quo line, drawn on the chart as context whatever the baseline"
    )
    status_quo_fails: tuple[Must, ...] = Field(
        (), description="the musts the status quo fails; empty when it is the baseline"
    )
    build_usd: Usd = Field(
        description="one-off cost to build the recommendation, its complements included (the "
        "sum of its parts' builds)"
    )
    month: int | None = Field(
        description="the first month its cumulative cost is below the baseline's; null when "
        "it does not pay back within `months` (or is the baseline itself)"
    )
    saving_usd: UsdRange = Field(
        description="the baseline's cumulative cost minus the recommendation's at the last "
        "month; negative when the recommendation costs more; its interval is the difference's "
        "own (each factor's swing on both sides subtracted before combining)"
    )
    crosses_zero: bool = Field(
        default=False,
        description="the saving's interval runs from costing more to saving: about break-even, "
        "stated in neither direction",
    )
    depends_on: Driver | None = Field(
        None,
        description="when `crosses_zero`: the factor the outcome depends on most",
    )
    months: int
    sentence: str = Field(description="the same, in one sentence")

    @property
    def nothing_else_meets(self) -> bool:
        """No other option meets the requirements: nothing is compared with the recommendation."""
        return self.versus_reason == "nothing_else_meets_requirements"

    @property
    def against_cheapest_meeting(self) -> bool:
        """The status quo fails a must, so the baseline is the cheapest option that meets them."""
        return self.versus_reason == "cheapest_meeting_requirements"
