"""The crossover chart as SVG: app/views/chart.py's model drawn by matplotlib.

matplotlib's SVG backend draws it on the server, so the report needs no browser, and the
results page shows the same SVG until (and unless) its script draws the model with plotly.js:
one model, so the charts cannot drift apart. The model decides emphasis, the axis and which
crossovers are labelled; this module only draws, with the legend below the plot, never on it.
"""

from __future__ import annotations

import base64
import functools
import io
import re
import threading
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from app.views.chart import Chart, Crossover, Event, Trace

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

WEB_FONT = "font-family: 'DejaVu Sans', Verdana, Arial, sans-serif"
"""The results page shows the SVG as an image, which loads no fonts: the text falls back to
the reader's sans-serif (DejaVu Sans where installed), never the browser's serif default."""

PT_PER_PX = 0.75
"""The model's widths are CSS pixels (plotly's unit); matplotlib's are points."""

LABEL_INSET_PT = 6
"""Crossover labels start this far right of the y axis, so none sits on it."""

BAND_ALPHA = 0.12
"""Light enough that the primary's and the status quo's bands overlap without going brown."""


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


def draw(model: Chart, width_in: float = 6.7, height_in: float = 4.4) -> Figure:
    """The chart as a matplotlib figure (call inside `_RC`): the shown lines in the model's
    order (the primary last, on top), the labelled crossovers, the legend under the axes."""
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    ax = fig.add_subplot()
    x = list(model.months)
    shown = [t for t in model.traces if t.shown]
    for t in shown:
        if t.banded:
            ax.fill_between(x, t.band.low, t.band.high, color=t.colour, alpha=BAND_ALPHA, lw=0)
    lines = {t.approach: _line(ax, t) for t in shown}
    for c in model.crossovers:
        if c.labelled:
            _label(ax, c)
    for e in model.events:
        _event(ax, e, model.y_max)
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
    ranked = sorted(shown, key=lambda t: t.legend_rank)
    fig.legend(
        [lines[t.approach] for t in ranked],
        [t.label for t in ranked],
        loc="outside lower center",
        ncols=2,
        frameon=False,
        handlelength=3,
    )
    return fig


def render_svg(
    model: Chart, width_in: float = 6.7, height_in: float = 4.4, font: str | None = None
) -> str:
    """The chart as an SVG document: vector lines, text kept as text, byte-for-byte stable;
    its text in the report's packaged font unless `font` names another CSS font-family."""
    with _LOCK, mpl.rc_context(_RC):
        fig = draw(model, width_in, height_in)
        _lay_out_once(fig)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOGUE.sub("", out.getvalue(), count=1)
    return svg.replace(f"font-family: '{FONT_FAMILY}', sans-serif", font or _SVG_FONT)


def _lay_out_once(fig: Figure) -> None:
    """The constrained layout placed now, measured by the SVG renderer, then fixed. Saving a
    figure that still has a layout engine draws it twice: once with drawing switched off, only
    to run the layout, then for real; that first pass is about a third of the chart's time.
    Run here with the same renderer, the layout gives the same positions, so the SVG is the
    same byte for byte (checked on every golden case's chart)."""
    FigureCanvasSVG(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    fig.set_layout_engine(None)


def page_svg_uri(model: Chart) -> str:
    """The chart as the results page's image (a data: URI, which the CSP's img-src allows),
    shown without JavaScript; the same model draws the same chart on every visit, so it is
    drawn once."""
    return _page_svg_uri(model.model_dump_json())


@functools.lru_cache(maxsize=64)
def _page_svg_uri(model_json: str) -> str:
    svg = render_svg(Chart.model_validate_json(model_json), font=WEB_FONT)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _line(ax: Any, t: Trace) -> Any:
    (line,) = ax.plot(
        list(t.x),
        list(t.y),
        color=t.colour,
        linestyle=_MPL_DASHES[t.dash],
        lw=t.width * PT_PER_PX,
        alpha=t.opacity,
        label=t.label,
        zorder=3 if t.role == "primary" else 2,
    )
    return line


def _label(ax: Any, c: Crossover) -> None:
    """A diamond on the crossover and its label at the model's own height (one height a
    label, so labels never collide) at the left of the plot, joined by an L-shaped leader."""
    ax.plot([c.month], [c.y], marker="D", markersize=5, color=c.colour, zorder=5)
    ax.plot(
        [c.month, c.month, c.label_x],
        [c.y, c.label_y, c.label_y],
        color=c.colour,
        lw=0.8,
        zorder=4,
    )
    ax.annotate(
        c.label,
        xy=(c.label_x, c.label_y),
        xytext=(LABEL_INSET_PT, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=7.5,
        color="#222222",
        zorder=6,
        bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": c.colour, "lw": 0.6},
    )


EVENT_COLOUR = "#d4351c"
"""A provider's end date is a warning, so it is marked in the warning red of the page."""


def _event(ax: Any, e: Event, top: float) -> None:
    """A dashed vertical line at the month a provider's end date falls in, labelled at the top."""
    ax.axvline(e.month, color=EVENT_COLOUR, lw=1.0, linestyle=(0, (4, 3)), zorder=4)
    ax.annotate(
        e.label,
        xy=(e.month, top * 0.02),
        xytext=(3, 0),
        textcoords="offset points",
        rotation=90,
        ha="left",
        va="bottom",
        fontsize=7,
        color=EVENT_COLOUR,
        zorder=6,
    )
