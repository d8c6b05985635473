"""The crossover chart as one model, built from a result's costs; two renderers draw it.

The results page draws it with plotly.js in the browser (`Chart` is also the JSON of
`?include=chart`); the PDF report draws it with matplotlib's SVG backend
(app/report/chart.py). Both take their series, labels, colours and crossover points from this
model, so the two charts cannot drift apart.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.rules.result import CostLine, Costs
from app.vocabulary import words
from app.vocabulary.numbers import usd, usd_compact

SERIES_ORDER = ("api", "base", "rag", "lora", "qlora", "full_fine_tuning")

COLOURS = {
    "api": "#0072B2",
    "base": "#56B4E9",
    "rag": "#E69F00",
    "lora": "#009E73",
    "qlora": "#CC79A7",
    "full_fine_tuning": "#D55E00",
}
"""Okabe and Ito's colour-blind-safe palette; each line also has its own dash pattern."""
OTHER_COLOUR = "#444444"

Dash = Literal["solid", "dash", "dot", "dashdot"]
DASHES: dict[str, Dash] = {
    "api": "solid",
    "base": "dot",
    "rag": "dash",
    "lora": "solid",
    "qlora": "dot",
    "full_fine_tuning": "dashdot",
}
"""plotly's dash names; the SVG renderer maps them to matplotlib's patterns."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Band(_Frozen):
    low: tuple[float, ...] = Field(description="low estimate, USD, month 1 first")
    high: tuple[float, ...] = Field(description="high estimate, USD, month 1 first")


class Trace(_Frozen):
    approach: CostLine
    label: str = Field(description="the line in words, for a legend")
    colour: str = Field(description="#rrggbb")
    dash: Dash
    x: tuple[int, ...] = Field(description="months")
    y: tuple[float, ...] = Field(description="expected cumulative cost, USD")
    hover: tuple[str, ...] = Field(description="each month's point in words, for a tooltip")
    band: Band


class Crossover(_Frozen):
    approach: CostLine
    versus: CostLine
    month: int
    y: float = Field(description="the approach's expected cumulative cost at that month, USD")
    label: str = Field(description="the crossover in words")
    colour: str


class Chart(_Frozen):
    """What the results page draws: one line and one low-to-high band per cost line, and a
    marker on each crossover."""

    title: str = "Cumulative cost by month"
    x_title: str = "Month"
    y_title: str = "Cumulative cost (USD)"
    months: tuple[int, ...]
    traces: tuple[Trace, ...]
    crossovers: tuple[Crossover, ...]
    y_max: float = Field(description="top of the y axis, USD")
    y_ticks: tuple[float, ...] = Field(description="where the y axis is labelled, USD")
    y_tick_labels: tuple[str, ...] = Field(description="those labels, formatted ($1.5M)")


NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
"""Axis steps a reader counts in: 1, 2, 2.5 or 5 times a power of ten."""
TICKS = 5
"""About this many steps up the y axis."""
HEADROOM = 1.15
"""Space above the highest line, for the crossover labels."""


def y_axis(top: float) -> tuple[float, tuple[float, ...]]:
    """The axis' top and its ticks: round steps from 0 to just above the highest line (at
    least $1)."""
    top = max(top, 1.0)  # an axis finer than a dollar says nothing to a budget
    rough = top * HEADROOM / TICKS
    power = 10 ** math.floor(math.log10(rough))
    step = next(n * power for n in NICE_STEPS if n * power >= rough)
    count = math.ceil(top * HEADROOM / step)
    return step * count, tuple(step * i for i in range(count + 1))


def crossover_label(approach: str, versus: str, month: int) -> str:
    short = words.line
    return f"{short(approach, short=True)} beats {short(versus, short=True)} at month {month}"


def _legend(cost: Costs) -> dict[str, str]:
    """Each line as the option it is ("Llama 3.1 8B + LoRA, hosted"), marked when ruled out;
    a result stored before options existed keeps the generic names."""
    named = {o.line: o.label + ("" if o.eligible else " (ruled out)") for o in cost.options}
    return {
        s.approach: named.get(s.approach) or words.line(s.approach, short=True) for s in cost.series
    }


def build_chart(cost: Costs) -> Chart:
    """The chart of a result's cost block (series, months and crossovers)."""
    by_name = {s.approach: s for s in cost.series}
    labels = _legend(cost)
    order = [a for a in SERIES_ORDER if a in by_name] + sorted(set(by_name) - set(SERIES_ORDER))
    months = tuple(range(1, cost.months + 1))
    traces = tuple(
        Trace(
            approach=a,
            label=labels[a],
            colour=COLOURS.get(a, OTHER_COLOUR),
            dash=DASHES.get(a, "solid"),
            x=months,
            y=by_name[a].cumulative_usd,
            hover=tuple(
                f"{labels[a]}: {usd(v)} by month {m}"
                for m, v in zip(months, by_name[a].cumulative_usd, strict=True)
            ),
            band=Band(low=by_name[a].low_usd, high=by_name[a].high_usd),
        )
        for a in order
    )
    crossovers = tuple(
        Crossover(
            approach=c.approach,
            versus=c.versus,
            month=c.month,
            y=by_name[c.approach].cumulative_usd[c.month - 1],
            label=crossover_label(c.approach, c.versus, c.month),
            colour=COLOURS.get(c.approach, OTHER_COLOUR),
        )
        for c in sorted(cost.crossovers, key=lambda c: (c.month, c.approach, c.versus))
        if c.approach in by_name
    )
    top, ticks = y_axis(max((max(t.y, default=0.0) for t in traces), default=0.0))
    return Chart(
        months=months,
        traces=traces,
        crossovers=crossovers,
        y_max=top,
        y_ticks=ticks,
        y_tick_labels=tuple(usd_compact(t) for t in ticks),
    )
