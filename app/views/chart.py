"""The crossover chart as one model, built from a result's costs; two renderers draw it.

The results page draws it with plotly.js in the browser (`Chart` is also the JSON of
`?include=chart`) and, without JavaScript, as the SVG the PDF report uses (matplotlib,
app/views/chart_svg.py). Both take their series, labels, colours, emphasis, axis and crossover
labels from this model, so the charts cannot drift apart and the browser formats nothing.

The chart makes one case: the recommendation against the status quo. So the model decides what
is drawn strongly (the primary line), what is drawn at all by default (eligible options and the
status quo; ruled-out ones only on request), how high the axis goes (what is shown, never a
ruled-out line far above it) and which crossovers earn a label.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.rules.result import CostLine, CostOption, Costs
from app.views.chart_words import crossover_label, events_note, legend, reading, ruled_out_note
from app.vocabulary.numbers import usd, usd_compact

SERIES_ORDER = (
    "api",
    "base",
    "rag",
    "lora",
    "qlora",
    "full_fine_tuning",
    "managed",
    "recommended",
)

COLOURS = {
    "api": "#0072B2",
    "base": "#56B4E9",
    "rag": "#E69F00",
    "lora": "#009E73",
    "qlora": "#CC79A7",
    "full_fine_tuning": "#D55E00",
    "managed": "#000000",
    "recommended": "#000000",
}
"""Okabe and Ito's colour-blind-safe palette; each line also has its own dash pattern. The
recommendation with its complements (`recommended`) never shares a chart with a managed
service (only a team that may not fine-tune gets one), so the two share black."""
OTHER_COLOUR = "#444444"

Dash = Literal["solid", "dash", "dot", "dashdot"]
DASHES: dict[str, Dash] = {
    "api": "solid",
    "base": "dot",
    "rag": "dash",
    "lora": "solid",
    "qlora": "dot",
    "full_fine_tuning": "dashdot",
    "managed": "dash",
    "recommended": "solid",
}
"""plotly's dash names; the SVG renderer maps them to matplotlib's patterns."""

Role = Literal["primary", "status_quo", "option", "ruled_out"]
EMPHASIS: dict[Role, tuple[float, float]] = {
    "primary": (4.0, 1.0),
    "status_quo": (2.5, 0.9),
    "option": (1.5, 0.55),
    "ruled_out": (1.5, 0.5),
}
"""Line width (px) and opacity by role: the recommendation reads first, the status quo second,
the other options recede so they inform without competing."""


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
    role: Role = Field("option", description="what the line is to the decision")
    shown: bool = Field(default=True, description="drawn by default; false for a ruled-out option")
    banded: bool = Field(
        default=False, description="its low-to-high band is drawn (primary, status quo)"
    )
    width: float = Field(2.0, description="line width, CSS pixels")
    opacity: float = Field(1.0, description="line opacity, 0 to 1")
    legend_rank: int = Field(0, description="place in the legend, lowest first")


class Crossover(_Frozen):
    approach: CostLine
    versus: CostLine
    month: int
    y: float = Field(description="the approach's expected cumulative cost at that month, USD")
    label: str = Field(description="the crossover in words")
    colour: str
    labelled: bool = Field(default=False, description="marked and labelled on the chart")
    label_y: float | None = Field(None, description="the label's height, USD; one per label")
    label_x: float | None = Field(
        None, description="where the label starts, month: the left of the plot, for every label"
    )


class Event(_Frozen):
    month: int = Field(description="the chart's month a provider's announced end date falls in")
    label: str = Field(description="the event in words, marked at that month")
    lines: tuple[CostLine, ...] = Field(description="the drawn lines that depend on it")


class Axis(_Frozen):
    top: float = Field(description="top of the y axis, USD")
    ticks: tuple[float, ...] = Field(description="where the y axis is labelled, USD")
    tick_labels: tuple[str, ...] = Field(description="those labels, formatted ($1.5M)")


class Chart(_Frozen):
    """What the results page draws: one line per cost line (drawn in `traces` order, the
    primary last), light bands for the primary and the status quo, and the crossovers that
    matter labelled."""

    title: str = "Cumulative cost by month"
    x_title: str = "Month"
    y_title: str = "Cumulative cost (USD)"
    months: tuple[int, ...]
    traces: tuple[Trace, ...]
    crossovers: tuple[Crossover, ...]
    y_max: float = Field(description="top of the y axis as shown by default, USD")
    y_ticks: tuple[float, ...] = Field(description="where the y axis is labelled, USD")
    y_tick_labels: tuple[str, ...] = Field(description="those labels, formatted ($1.5M)")
    y_axis_all: Axis | None = Field(
        None, description="the axis once ruled-out lines are shown too; null when none is hidden"
    )
    reading: str = Field("", description="the chart in one sentence, under it")
    ruled_out: str = Field("", description="the options left off by default, and why")
    band_note: str = Field("", description="said when a band runs above the chart")
    events: tuple[Event, ...] = Field(
        default=(), description="provider end dates a drawn line depends on, marked by month"
    )
    events_note: str = Field("", description="the marked months in words, under the chart")


NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
"""Axis steps a reader counts in: 1, 2, 2.5 or 5 times a power of ten."""
TICKS = 5
"""About this many steps up the y axis."""
HEADROOM = 1.15
"""Space above the highest line, for the crossover labels."""
BAND_ROOM = 1.5
"""A band may lift the axis to this many times the highest line and no further: a high
estimate ten times the expected one would flatten every line again, so beyond this the band is
cut at the top of the chart and the chart says so."""
MAX_LABELS = 3
"""The primary against the status quo, and at most two more: more labels cover the lines."""
LABEL_SLOTS = (0.95, 0.85, 0.75)
"""Heights of the crossover labels, as fractions of the axis: one label a slot, so no two share
a height, all above the lines' usual reach. Every label starts at the left of the plot (a
line's cumulative cost is lowest early, so the upper left is free, and a label there fits a
phone's width) and an L-shaped leader runs from it along its own height and down to its
point."""


def y_axis(top: float) -> tuple[float, tuple[float, ...]]:
    """The axis' top and its ticks: round steps from 0 to just above the highest line (at
    least $1)."""
    top = max(top, 1.0)  # an axis finer than a dollar says nothing to a budget
    rough = top * HEADROOM / TICKS
    power = 10 ** math.floor(math.log10(rough))
    step = next(n * power for n in NICE_STEPS if n * power >= rough)
    count = math.ceil(top * HEADROOM / step)
    return step * count, tuple(step * i for i in range(count + 1))


def _axis(top: float) -> Axis:
    end, ticks = y_axis(top)
    return Axis(top=end, ticks=ticks, tick_labels=tuple(usd_compact(t) for t in ticks))


def _roles(cost: Costs) -> dict[str, Role]:
    """Each line's part in the decision; a result stored before options existed draws every
    line as an option, the status quo still marked."""
    primary = cost.payback.line if cost.payback else None
    primary = primary or next((o.line for o in cost.options if o.recommended), None)
    eligible = {o.line: o.eligible for o in cost.options}

    def role(line: str) -> Role:
        if line == primary:
            return "primary"
        if line == cost.status_quo:
            return "status_quo"
        return "option" if eligible.get(line, True) else "ruled_out"

    return {s.approach: role(s.approach) for s in cost.series}


def _order(line: str) -> int:
    return SERIES_ORDER.index(line) if line in SERIES_ORDER else len(SERIES_ORDER)


def _rank(role: Role, line: str) -> int:
    return {"primary": 0, "status_quo": 10, "option": 20, "ruled_out": 30}[role] + _order(line)


def _traces(cost: Costs, roles: dict[str, Role]) -> tuple[Trace, ...]:
    labels = legend(cost)
    months = tuple(range(1, cost.months + 1))
    draw_order = ("ruled_out", "option", "status_quo", "primary")
    series = sorted(
        cost.series, key=lambda s: (draw_order.index(roles[s.approach]), _order(s.approach))
    )
    return tuple(
        Trace(
            approach=s.approach,
            label=labels[s.approach],
            colour=COLOURS.get(s.approach, OTHER_COLOUR),
            dash=DASHES.get(s.approach, "solid"),
            x=months,
            y=s.cumulative_usd,
            hover=tuple(
                f"{labels[s.approach]}: {usd(v)} by month {m}"
                for m, v in zip(months, s.cumulative_usd, strict=True)
            ),
            band=Band(low=s.low_usd, high=s.high_usd),
            role=roles[s.approach],
            shown=roles[s.approach] != "ruled_out",
            banded=roles[s.approach] in ("primary", "status_quo"),
            width=EMPHASIS[roles[s.approach]][0],
            opacity=EMPHASIS[roles[s.approach]][1],
            legend_rank=_rank(roles[s.approach], s.approach),
        )
        for s in series
    )


def _priority(approach: str, versus: str, roles: dict[str, Role]) -> int:
    """Which crossovers earn a label: the primary's payback first, then the primary against
    another option, then another option against the status quo."""
    pair = {roles.get(approach), roles.get(versus)}
    if pair == {"primary", "status_quo"}:
        return 0
    return 1 if "primary" in pair else 2 if "status_quo" in pair else 3


def _crossovers(cost: Costs, roles: dict[str, Role], top: float) -> tuple[Crossover, ...]:
    """Every crossover, the few that matter labelled. A month-1 crossover is no crossover (the
    line was cheaper from the start; the reading says so), so it is never labelled."""
    by_name = {s.approach: s for s in cost.series}
    found = sorted(
        (c for c in cost.crossovers if c.approach in by_name),
        key=lambda c: (c.month, c.approach, c.versus),
    )
    worth = sorted(
        (c for c in found if c.month > 1 and _priority(c.approach, c.versus, roles) < 3),
        key=lambda c: (_priority(c.approach, c.versus, roles), c.month),
    )[:MAX_LABELS]
    slots = {(c.approach, c.versus): i for i, c in enumerate(worth)}
    return tuple(
        Crossover(
            approach=c.approach,
            versus=c.versus,
            month=c.month,
            y=by_name[c.approach].cumulative_usd[c.month - 1],
            label=crossover_label(c.approach, c.versus, c.month),
            colour=COLOURS.get(c.approach, OTHER_COLOUR),
            labelled=(c.approach, c.versus) in slots,
            label_y=top * LABEL_SLOTS[slots[c.approach, c.versus]]
            if (c.approach, c.versus) in slots
            else None,
            label_x=1.0 if (c.approach, c.versus) in slots else None,
        )
        for c in found
    )


def _default_top(traces: tuple[Trace, ...]) -> float:
    """The highest expected line shown by default, lifted by a shown band up to BAND_ROOM
    times that line (a band higher still is cut at the top of the chart)."""
    lines = max((max(t.y, default=0.0) for t in traces if t.shown), default=0.0)
    bands = max((max(t.band.high, default=0.0) for t in traces if t.banded), default=0.0)
    if lines <= 0:
        return bands / HEADROOM
    return max(lines, min(bands, lines * BAND_ROOM) / HEADROOM)


def build_chart(cost: Costs) -> Chart:
    """The chart of a result's cost block (series, months and crossovers)."""
    roles = _roles(cost)
    traces = _traces(cost, roles)
    top = _default_top(traces)
    axis = _axis(top)
    clipped = any(max(t.band.high, default=0.0) > axis.top for t in traces if t.banded)
    hidden = [t for t in traces if not t.shown]
    every = max((max(t.y, default=0.0) for t in traces), default=0.0)
    options: dict[str, CostOption] = {o.line: o for o in cost.options}
    return Chart(
        months=tuple(range(1, cost.months + 1)),
        traces=traces,
        crossovers=_crossovers(cost, roles, axis.top),
        y_max=axis.top,
        y_ticks=axis.ticks,
        y_tick_labels=axis.tick_labels,
        y_axis_all=_axis(max(every, top)) if hidden else None,
        reading=reading(cost, options),
        ruled_out=ruled_out_note([options[t.approach] for t in hidden if t.approach in options]),
        band_note="The shaded range runs above the top of the chart, where its high estimate is "
        "far above the expected line."
        if clipped
        else "",
        events=_events(cost),
        events_note=events_note(cost),
    )


def _events(cost: Costs) -> tuple[Event, ...]:
    """One mark per provider end date and month, naming what ends there."""
    grouped: dict[tuple[int, str], list[str]] = {}
    for e in cost.provider_events:
        grouped.setdefault((e.month, e.ends), []).append(e.line)
    return tuple(
        Event(month=month, label=f"{ends} (month {month})", lines=tuple(lines))
        for (month, ends), lines in sorted(grouped.items())
    )
