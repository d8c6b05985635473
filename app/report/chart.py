"""The crossover chart: one model built from a result's cost block, two renderers.

The results page draws `ChartModel.to_json()` with plotly.js in the browser; the PDF report
draws `render_svg(model)` with matplotlib's SVG backend, so the server needs no browser. Both
take their series, labels, colours and crossover points from the same model, so the two
charts cannot drift apart.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.typing import RcKeyType

SERIES_ORDER = ("api", "rag", "lora", "qlora", "full_fine_tuning")

LABELS = {
    "api": "API",
    "rag": "RAG",
    "lora": "LoRA",
    "qlora": "QLoRA",
    "full_fine_tuning": "Full fine-tuning",
}
"""Short names for a legend; the report's prose uses the rule engine's longer labels."""

COLOURS = {
    "api": "#0072B2",
    "rag": "#E69F00",
    "lora": "#009E73",
    "qlora": "#CC79A7",
    "full_fine_tuning": "#D55E00",
}
"""Okabe and Ito's colour-blind-safe palette; each line also has its own dash pattern."""

DASHES = {
    "api": "solid",
    "rag": "dash",
    "lora": "solid",
    "qlora": "dot",
    "full_fine_tuning": "dashdot",
}
"""plotly's dash names; `_MPL_DASHES` gives matplotlib the same patterns."""

_MPL_DASHES: dict[str, Any] = {
    "solid": "-",
    "dash": (0, (6, 3)),
    "dot": (0, (1.5, 2)),
    "dashdot": (0, (6, 2, 1.5, 2)),
}

FONT_FAMILY = "DejaVu Sans"
"""matplotlib lays the text out with its own copy of DejaVu Sans, the report's font."""

SVG_FONT_FAMILY = "Tunewise Sans"
"""The name the report's stylesheet gives its packaged DejaVu Sans (app/report/fonts), so the
SVG's text is drawn with the packaged font, never a host font of the same name."""

MAX_LABELLED_CROSSOVERS = 8
"""More labels than this would cover the lines; the report lists every crossover anyway."""


@dataclass(frozen=True, slots=True)
class Trace:
    approach: str
    label: str
    colour: str
    dash: str
    y: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Crossover:
    approach: str
    versus: str
    month: int
    y: float
    """The approach's expected cumulative cost at that month: where the marker sits."""
    label: str


@dataclass(frozen=True, slots=True)
class ChartModel:
    months: tuple[int, ...]
    traces: tuple[Trace, ...]
    crossovers: tuple[Crossover, ...]
    title: str = "Cumulative cost by month"
    x_title: str = "Month"
    y_title: str = "Cumulative cost (USD)"

    def to_json(self) -> dict[str, Any]:
        """What the results page's plotly script draws: one line and one band per trace."""
        x = list(self.months)
        return {
            "title": self.title,
            "x_title": self.x_title,
            "y_title": self.y_title,
            "months": x,
            "traces": [
                {
                    "approach": t.approach,
                    "label": t.label,
                    "colour": t.colour,
                    "dash": t.dash,
                    "x": x,
                    "y": list(t.y),
                    "band": {"low": list(t.low), "high": list(t.high)},
                }
                for t in self.traces
            ],
            "crossovers": [
                {
                    "approach": c.approach,
                    "versus": c.versus,
                    "month": c.month,
                    "y": c.y,
                    "label": c.label,
                    "colour": COLOURS.get(c.approach, "#444444"),
                }
                for c in self.crossovers
            ],
        }


def label(approach: str) -> str:
    return LABELS.get(approach, approach.replace("_", " "))


def crossover_label(approach: str, versus: str, month: int) -> str:
    return f"{label(approach)} beats {label(versus)} at month {month}"


def build_chart(cost: dict[str, Any]) -> ChartModel:
    """The chart model of a result's `cost` block (series, months and crossovers)."""
    by_name = {s["approach"]: s for s in cost["series"]}
    order = [a for a in SERIES_ORDER if a in by_name] + sorted(set(by_name) - set(SERIES_ORDER))
    traces = tuple(
        Trace(
            approach=a,
            label=label(a),
            colour=COLOURS.get(a, "#444444"),
            dash=DASHES.get(a, "solid"),
            y=tuple(float(v) for v in by_name[a]["cumulative_usd"]),
            low=tuple(float(v) for v in by_name[a]["low_usd"]),
            high=tuple(float(v) for v in by_name[a]["high_usd"]),
        )
        for a in order
    )
    months = tuple(range(1, int(cost["months"]) + 1))
    crossovers = tuple(
        Crossover(
            approach=c["approach"],
            versus=c["versus"],
            month=int(c["month"]),
            y=float(by_name[c["approach"]]["cumulative_usd"][int(c["month"]) - 1]),
            label=crossover_label(c["approach"], c["versus"], int(c["month"])),
        )
        for c in sorted(cost["crossovers"], key=lambda c: (c["month"], c["approach"], c["versus"]))
        if c["approach"] in by_name
    )
    return ChartModel(months=months, traces=traces, crossovers=crossovers)


def usd_short(value: float, _pos: object = None) -> str:
    """$950, $12k, $1.5M: axis ticks a reader takes in at a glance."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"${value / 1_000_000:,.1f}M".replace(".0M", "M")
    if magnitude >= 1_000:
        return f"${value / 1_000:,.0f}k"
    return f"${value:,.0f}"


_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "tunewise-report-chart",
    "svg.image_inline": True,
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "font.size": 8.5,
    "axes.unicode_minus": False,
    "path.simplify": False,
}
_LOCK = threading.Lock()
"""rcParams are global, so drawing holds a lock; the figure itself is never shared."""

_SVG_FONT = f"font-family: '{SVG_FONT_FAMILY}'"
_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)


def render_svg(model: ChartModel, width_in: float = 6.7, height_in: float = 3.9) -> str:
    """The chart as an SVG document: vector lines, text kept as text, byte-for-byte stable."""
    with _LOCK, mpl.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in))
        ax = fig.add_subplot()
        x = list(model.months)
        for t in model.traces:
            ax.fill_between(x, t.low, t.high, color=t.colour, alpha=0.10, linewidth=0)
            ax.plot(x, t.y, color=t.colour, linestyle=_MPL_DASHES[t.dash], lw=1.8, label=t.label)
        _mark_crossovers(ax, model)
        ax.set_xlim(1, max(x[-1], 2))
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        ax.yaxis.set_major_formatter(FuncFormatter(usd_short))
        ax.set_xlabel(model.x_title)
        ax.set_ylabel(model.y_title)
        ax.grid(visible=True, color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.legend(loc="lower center", ncols=len(model.traces), frameon=False)
        fig.subplots_adjust(left=0.1, right=0.98, top=0.97, bottom=0.2)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOGUE.sub("", out.getvalue(), count=1)
    return svg.replace(f"font-family: '{FONT_FAMILY}', sans-serif", _SVG_FONT)


def _mark_crossovers(ax: Any, model: ChartModel) -> None:
    """A diamond on each crossover, and the crossovers listed in the upper left, each after a
    diamond of its approach's colour (leader lines to points that share a month would cross)."""
    shown = model.crossovers[:MAX_LABELLED_CROSSOVERS]
    step = 0.062
    for c in model.crossovers:
        colour = COLOURS.get(c.approach, "#444444")
        ax.plot([c.month], [c.y], marker="D", markersize=4.5, color=colour, zorder=5)
    if shown:
        height = step * (len(shown) + (1 if len(model.crossovers) > len(shown) else 0)) + 0.02
        ax.add_patch(
            Rectangle(
                (0.015, 0.985 - height),
                0.4,
                height,
                transform=ax.transAxes,
                facecolor="white",
                edgecolor="#cccccc",
                linewidth=0.5,
                alpha=0.9,
                zorder=6,
            )
        )
    for i, c in enumerate(shown):
        y = 0.955 - i * step
        colour = COLOURS.get(c.approach, "#444444")
        ax.plot(
            [0.035],
            [y],
            marker="D",
            markersize=4.5,
            color=colour,
            transform=ax.transAxes,
            zorder=7,
            clip_on=False,
        )
        ax.text(
            0.055,
            y,
            c.label,
            transform=ax.transAxes,
            fontsize=7.5,
            va="center",
            color="#222222",
            zorder=7,
        )
    hidden = len(model.crossovers) - len(shown)
    if hidden > 0:
        ax.text(
            0.055,
            0.955 - len(shown) * step,
            f"and {hidden} more: see the list below",
            transform=ax.transAxes,
            fontsize=7.5,
            va="center",
            color="#555555",
            zorder=7,
        )
