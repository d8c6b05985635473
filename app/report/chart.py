"""The crossover chart in the PDF report: app/views/chart.py's model drawn as SVG.

matplotlib's SVG backend draws it on the server, so the report needs no browser; the results
page draws the same model with plotly.js, so the two charts cannot drift apart.
"""

from __future__ import annotations

import io
import re
import threading
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from app.views.chart import COLOURS, OTHER_COLOUR, Chart

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


def render_svg(model: Chart, width_in: float = 6.7, height_in: float = 3.9) -> str:
    """The chart as an SVG document: vector lines, text kept as text, byte-for-byte stable."""
    with _LOCK, mpl.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in))
        ax = fig.add_subplot()
        x = list(model.months)
        for t in model.traces:
            ax.fill_between(x, t.band.low, t.band.high, color=t.colour, alpha=0.10, linewidth=0)
            ax.plot(x, t.y, color=t.colour, linestyle=_MPL_DASHES[t.dash], lw=1.8, label=t.label)
        _mark_crossovers(ax, model)
        ax.set_xlim(1, max(x[-1], 2))
        ax.set_ylim(0, model.y_max)
        ax.set_yticks(model.y_ticks, model.y_tick_labels)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
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


def _mark_crossovers(ax: Any, model: Chart) -> None:
    """A diamond on each crossover, and the crossovers listed in the upper left, each after a
    diamond of its approach's colour (leader lines to points that share a month would cross)."""
    shown = model.crossovers[:MAX_LABELLED_CROSSOVERS]
    step = 0.062
    for c in model.crossovers:
        colour = COLOURS.get(c.approach, OTHER_COLOUR)
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
        colour = COLOURS.get(c.approach, OTHER_COLOUR)
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
