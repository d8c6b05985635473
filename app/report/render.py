"""The PDF report: Jinja templates and a print stylesheet, rendered by WeasyPrint.

Pure: a StoredAssessment in, PDF bytes out; no database, no web layer. The same assessment
(answers, context, versions, title, creation time) gives the same bytes: the document's dates
and the attachment's dates come from `created_at`, the PDF identifier is a hash of the content,
the font is the packaged one, and fontTools' font timestamps follow SOURCE_DATE_EPOCH, which
`source_date_epoch()` sets to `created_at` for the duration of a render.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import weasyprint  # type: ignore[import-untyped]  # WeasyPrint ships no types
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

from app.assessments.store import StoredAssessment
from app.report.attachment import ATTACHMENT_NAME, attachment_bytes
from app.report.fetcher import ReportFetcher
from app.report.keys import epoch
from app.report.serialised import serialise_once
from app.views.chart import Chart
from app.views.chart_svg import render_svg
from app.views.document import document_of
from app.views.paper import PAPER_SIZES, Paper
from app.views.templating import environment

__all__ = ["PAPER_SIZES", "Paper", "layout", "render_html", "render_pdf"]

PACKAGE_DIR = Path(__file__).resolve().parent
FONTS_DIR = PACKAGE_DIR / "fonts"
TEMPLATES_DIR = PACKAGE_DIR.parents[1] / "templates" / "report"


class _SubsetterNotice(logging.Filter):
    """Drops WeasyPrint's notice that it subsets fonts with fontTools, not HarfBuzz-Subset.

    fontTools is a locked dependency, so the subset fonts are the same on every host (and
    SOURCE_DATE_EPOCH fixes their timestamps); the notice is about the host's libraries, not
    about this document, and would otherwise hide the warnings that are.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Using fontTools instead of HarfBuzz-Subset")


@cache
def _quiet_subsetter_notice() -> None:
    logging.getLogger("weasyprint").addFilter(_SubsetterNotice())


def render_html(assessment: StoredAssessment) -> str:
    """The HTML fed to WeasyPrint: what tests read to check the contents."""
    doc = document_of(assessment)
    template = environment().get_template("report/report.html")
    return template.render(doc=doc, chart_src=chart_src(doc.chart), interactive=False)


def chart_src(model: Chart) -> str:
    """The chart as the report's image (a data: URI of its SVG). matplotlib takes about a
    tenth of a render to draw it, and the same assessment draws the same chart for A4 and for
    Letter, under any title, so a worker keeps the last few it drew."""
    return _chart_src(model.model_dump_json())


@lru_cache(maxsize=16)
def _chart_src(model_json: str) -> str:
    svg = render_svg(Chart.model_validate_json(model_json)).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def forget_drawn_charts() -> None:
    """Empty the worker's drawn charts, so that a benchmark times a new assessment's render."""
    _chart_src.cache_clear()


_EPOCH_LOCK = threading.Lock()


class _Pages(NamedTuple):
    document: Any
    """WeasyPrint's laid-out document (weasyprint.document.Document: WeasyPrint has no types)."""
    options: dict[str, Any]


@contextlib.contextmanager
def source_date_epoch(created_at: datetime) -> Iterator[None]:
    """SOURCE_DATE_EPOCH for one render: fontTools stamps font subsets with it.

    The environment is the process's, so concurrent renders in threads take turns.
    """
    with _EPOCH_LOCK:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch(created_at))
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


class _Styles(NamedTuple):
    """The stylesheets of one paper size, parsed, and the fonts their @font-face rules load."""

    fonts: Any
    """weasyprint.text.fonts.FontConfiguration: the packaged fonts, registered with fontconfig."""
    sheets: list[Any]
    """weasyprint.CSS: the report's stylesheet, then the page size."""


def _styles(paper: Paper, fetcher: ReportFetcher) -> _Styles:
    fonts = FontConfiguration()
    sheet = weasyprint.CSS(
        string=(TEMPLATES_DIR / "report.css").read_text(encoding="utf-8"),
        base_url=PACKAGE_DIR.as_uri() + "/",
        url_fetcher=fetcher,
        font_config=fonts,
    )
    size = weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}", url_fetcher=fetcher)
    return _Styles(fonts, [sheet, size])


@cache
def _shared_styles(paper: Paper) -> _Styles:
    """The stylesheets parsed once a process (a worker renders many reports): parsing them and
    registering the fonts again for every render costs a few per cent of it and changes no
    byte. A caller with its own fetcher gets its own, so that fetcher sees every URL asked."""
    return _styles(paper, ReportFetcher([FONTS_DIR]))


def _laid_out(assessment: StoredAssessment, paper: Paper, fetcher: ReportFetcher | None) -> _Pages:
    """The report paginated, with the options its PDF is written with."""
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}")
    _quiet_subsetter_notice()
    html = render_html(assessment)
    styles = _shared_styles(paper) if fetcher is None else _styles(paper, fetcher)
    fetcher = fetcher or ReportFetcher([FONTS_DIR])
    created = assessment.created_at.astimezone(UTC).replace(tzinfo=None)
    attachment = weasyprint.Attachment(
        string=attachment_bytes(assessment),
        name=ATTACHMENT_NAME,
        description="The assessment's inputs: answers, context, unsure, title, input hash",
        created=created,
        modified=created,
        relationship="Source",
        url_fetcher=fetcher,
    )
    options: dict[str, Any] = {
        "stylesheets": styles.sheets,
        "attachments": [attachment],
        "pdf_variant": "pdf/a-3b",
        "pdf_identifier": True,
        "uncompressed_pdf": False,
    }
    base_url = PACKAGE_DIR.as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return _Pages(document.render(font_config=styles.fonts, **options), options)


GC_YOUNG_THRESHOLD = 50_000
"""Allocations between the collector's young-generation passes during a render (Python's
default is 700). A render allocates a few hundred thousand short-lived objects (boxes, styles,
text layouts); at the default the collector runs over a hundred passes a render and takes a
sixth of its time. At this threshold it runs a few, and memory still stays bounded (unlike
turning the collector off, which a pathological document could use to reach the memory cap
sooner)."""


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The collector's threshold raised for one render. Process-wide, like the render's
    SOURCE_DATE_EPOCH, so it is set and restored inside `source_date_epoch`'s lock.

    WeasyPrint's boxes and styles refer to each other, so a render leaves tens of thousands of
    objects only the collector frees; they are collected before the render returns (one pass
    over the young generations), so that their cost is neither left to the next request nor
    hidden from a benchmark that times the render."""
    before = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.collect(1)


@contextlib.contextmanager
def _rendering(assessment: StoredAssessment) -> Iterator[None]:
    with (
        source_date_epoch(assessment.created_at),
        _fewer_collections(),
        warnings.catch_warnings(),
    ):
        # WeasyPrint 70 opens its sRGB output-intent profile for PDF/A and never closes it
        # (weasyprint/pdf/__init__.py); the handle is dropped at once, with a ResourceWarning.
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def layout(
    assessment: StoredAssessment, paper: Paper = "a4", *, fetcher: ReportFetcher | None = None
) -> Any:
    """The report's pages as WeasyPrint laid them out (a `weasyprint.document.Document`),
    for the checks on the layout itself: how full each page is, no table row cut in two."""
    with _rendering(assessment):
        return _laid_out(assessment, paper, fetcher).document


def render_pdf(
    assessment: StoredAssessment,
    paper: Paper = "a4",
    *,
    fetcher: ReportFetcher | None = None,
) -> bytes:
    """The report as PDF/A-3b bytes, with the assessment's inputs attached as JSON."""
    with _rendering(assessment):
        pdf = _written(assessment, paper, fetcher)
    return pdf


def _written(assessment: StoredAssessment, paper: Paper, fetcher: ReportFetcher | None) -> bytes:
    """The PDF, in a frame of its own: WeasyPrint's document is garbage once this returns, so
    `_fewer_collections` frees it before the render returns."""
    pages = _laid_out(assessment, paper, fetcher)
    pdf = pages.document.write_pdf(finisher=serialise_once, **pages.options)
    assert isinstance(pdf, bytes)
    return pdf
