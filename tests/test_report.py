"""The PDF report, read back: contents, vector chart, reproducible bytes, safe rendering,
the embedded inputs, paper sizes, and no WeasyPrint warnings."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject

from app.assessments.store import StoredAssessment
from app.questions import RecommendationRequest
from app.report.attachment import ATTACHMENT_NAME, read_attachment
from app.report.embedded import check_cross_references
from app.report.fetcher import BlockedURLError, ReportFetcher
from app.report.keys import report_key
from app.report.render import FONTS_DIR, render_html, render_pdf
from app.report.upload_limits import precheck
from app.report.worker import ReportTimeoutError, render_pdf_isolated, shutdown_workers
from app.rules.recommend import recommend
from app.views.chart import COLOURS, build_chart
from app.views.chart_svg import render_svg
from app.views.document import SECTIONS
from app.views.page_one import page_one
from app.vocabulary.numbers import ms
from tests.cases import logistics_assessment

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = '<script>alert(1)</script> <img src="http://127.0.0.1:9/x"> file:///etc/passwd'


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Rendered:
    def __init__(self, assessment: StoredAssessment, paper: Any = "a4") -> None:
        self.assessment = assessment
        self.fetcher = ReportFetcher([FONTS_DIR])
        handler = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        try:
            self.pdf = render_pdf(assessment, paper, fetcher=self.fetcher)
        finally:
            logger.removeHandler(handler)
        self.warnings = [r.getMessage() for r in handler.records]
        self.reader = PdfReader(io.BytesIO(self.pdf))
        self.text = "\n".join(page.extract_text() for page in self.reader.pages)


@pytest.fixture(scope="module")
def report() -> Rendered:
    return Rendered(logistics_assessment())


@pytest.fixture(scope="module")
def hostile() -> Rendered:
    return Rendered(logistics_assessment(HOSTILE))


@pytest.fixture(scope="module")
def letter() -> Rendered:
    return Rendered(logistics_assessment(), "letter")


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_sections_recommendation_hash_and_versions_are_in_the_text(report: Rendered) -> None:
    flat = squeeze(report.text)
    for key, heading in SECTIONS.items():
        if key != "proposal-review":
            assert squeeze(heading) in flat, heading
    a = report.assessment
    assert "Recommended: QLoRA" in report.text
    assert a.input_hash in flat
    for version in (a.rules_version, a.cost_model_version, a.prices_as_of):
        assert version in report.text
    assert squeeze("is below GPT-5.2 API from month 1 and stays below it") in flat
    assert "beats API at month 1" not in report.text
    assert "12 November 2026, 09:30 UTC" in report.text
    payback = a.result.cost.payback
    assert payback is not None
    assert payback.month is not None
    assert squeeze(page_one(a.result).lead) in flat  # what to do and what it changes, in words


def test_every_answer_is_in_the_appendix_with_its_question(report: Rendered) -> None:
    flat = squeeze(report.text)
    assert squeeze("What is the compute budget ceiling for building it, in US dollars?") in flat
    assert squeeze("How capable is your in-house ML team?") in flat
    assert "I'm not sure: assumed" in report.text
    assert "Assumed $5,000" in report.text


def test_pages_are_numbered_with_a_running_title(report: Rendered) -> None:
    count = len(report.reader.pages)
    assert 5 <= count <= 14
    last = report.reader.pages[-1].extract_text()
    assert f"Page {count} of {count}" in last
    assert "Logistics assistant: tone and format" in report.reader.pages[1].extract_text()


def _xobjects(resources: Any) -> Iterator[DictionaryObject]:
    xobjects = resources.get("/XObject") if resources else None
    for ref in (xobjects or {}).values():
        obj = ref.get_object()
        assert isinstance(obj, DictionaryObject)
        yield obj
        yield from _xobjects(obj.get("/Resources"))


def test_the_chart_is_vector_with_no_raster_image(report: Rendered) -> None:
    subtypes = [
        x.get("/Subtype") for page in report.reader.pages for x in _xobjects(page["/Resources"])
    ]
    assert "/Form" in subtypes
    assert "/Image" not in subtypes


def test_only_the_packaged_font_is_embedded(report: Rendered) -> None:
    names = set()
    for page in report.reader.pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    assert names == {"Tunewise-Sans", "Tunewise-Sans-Bold"}


def test_chart_model_and_svg_agree() -> None:
    model = build_chart(logistics_assessment().result.cost)
    doc = model.model_dump(mode="json")
    assert sorted(t["approach"] for t in doc["traces"]) == sorted(
        ["api", "base", "rag", "lora", "qlora", "full_fine_tuning"]
    )
    assert all(t["x"] == list(range(1, 25)) and len(t["band"]["low"]) == 24 for t in doc["traces"])
    assert "QLoRA beats API at month 1" in [c["label"] for c in doc["crossovers"]]
    svg = render_svg(model)
    assert svg.startswith("<svg")
    assert "<image" not in svg
    assert render_svg(model) == svg
    for trace in doc["traces"]:
        assert (trace["label"] in svg) == trace["shown"]
        assert (COLOURS[trace["approach"]].lower() in svg.lower()) == trace["shown"]


def test_no_weasyprint_warnings(report: Rendered, hostile: Rendered, letter: Rendered) -> None:
    assert report.warnings == []
    assert hostile.warnings == []
    assert letter.warnings == []


def test_the_fetcher_only_served_the_packaged_fonts_and_the_chart(report: Rendered) -> None:
    for url in report.fetcher.requested:
        assert url.startswith((FONTS_DIR.as_uri() + "/", "data:image/svg+xml;base64,")), url
    assert any(url.endswith("DejaVuSans.ttf") for url in report.fetcher.requested)


def test_a_hostile_title_is_text_and_fetches_nothing(hostile: Rendered, report: Rendered) -> None:
    assert sorted(hostile.fetcher.requested) == sorted(report.fetcher.requested)
    assert not any("127.0.0.1" in u or "passwd" in u for u in hostile.fetcher.requested)
    assert squeeze(HOSTILE) in squeeze(hostile.text)
    html = render_html(hostile.assessment)
    assert "<script>" not in html
    assert "&lt;img src=&#34;http://127.0.0.1:9/x&#34;&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.com/font.ttf",
        "ftp://example.com/x",
        (FONTS_DIR / ".." / "render.py").as_uri(),
        FONTS_DIR.as_uri() + "/../render.py",
        FONTS_DIR.as_uri() + "/missing.ttf",
        "file://example.com" + (FONTS_DIR / "DejaVuSans.ttf").as_posix(),
    ],
)
def test_the_fetcher_refuses_everything_else(url: str) -> None:
    with pytest.raises(BlockedURLError):
        ReportFetcher([FONTS_DIR]).fetch(url)


def test_the_fetcher_serves_data_urls_and_packaged_files() -> None:
    fetcher = ReportFetcher([FONTS_DIR])
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    font = fetcher.fetch((FONTS_DIR / "DejaVuSans.ttf").as_uri())
    assert font.read() == (FONTS_DIR / "DejaVuSans.ttf").read_bytes()


def test_the_attachment_round_trips(report: Rendered) -> None:
    document = read_attachment(report.pdf)
    a = report.assessment
    assert document["answers"] == a.answers
    assert document["context"] == a.context
    assert document["unsure"] == list(a.unsure)
    assert document["input_hash"] == a.input_hash
    assert document["title"] == a.title
    assert document["created_at"] == "2026-11-12T09:30:00Z"
    body = {k: document[k] for k in ("answers", "context", "unsure")}
    again = recommend(RecommendationRequest.model_validate(body))
    assert again.input_hash == a.input_hash


def test_the_report_is_pdf_a_3b(report: Rendered) -> None:
    metadata = report.reader.xmp_metadata
    assert metadata is not None
    xml = metadata.stream.get_data()
    assert b'pdfaid:part="3"' in xml or b"<pdfaid:part>3</pdfaid:part>" in xml
    assert report.reader.metadata is not None
    assert str(report.reader.metadata["/CreationDate"]).startswith("D:20261112093000")


def _pdf_with_attachment(data: bytes) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_attachment(ATTACHMENT_NAME, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("pdf", "message"),
    [
        (b"hello", "not a PDF"),
        (b"%PDF-1.7\ngarbage", "could not be read|no tunewise"),
        (_pdf_with_attachment(b"[1, 2]"), "JSON object"),
        (_pdf_with_attachment(b"\xff\xfe"), "not valid UTF-8 JSON"),
        (_pdf_with_attachment(b'{"format": "tunewise-assessment"}'), "lacks 'answers'"),
        (_pdf_with_attachment(b" " * 300_000), "larger than"),
    ],
)
def test_read_attachment_rejects_what_is_not_a_report(pdf: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_attachment(pdf)


def test_read_attachment_rejects_a_pdf_without_one() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValueError, match=r"no tunewise-assessment\.json"):
        read_attachment(out.getvalue())


def test_read_attachment_checks_the_fields(report: Rendered) -> None:
    document = read_attachment(report.pdf)
    for key, bad in (("input_hash", "abc"), ("unsure", [1]), ("title", None)):
        data = json.dumps({**document, key: bad}).encode()
        with pytest.raises(ValueError, match=key):
            read_attachment(_pdf_with_attachment(data))


def test_a_report_is_well_within_the_upload_caps(report: Rendered) -> None:
    """The caps on uploads (issue 15) leave a real report ample room; its attachment's size in
    bytes (an embedded file's /Size) is not mistaken for the trailer's object count."""
    precheck(report.pdf)
    check_cross_references(report.reader)
    embedded = re.sub(rb"(/Params <</CheckSum <[0-9a-f]+>/Size )\d+", rb"\g<1>99999", report.pdf)
    assert embedded != report.pdf
    precheck(embedded)


def test_a4_and_letter_pages(report: Rendered, letter: Rendered) -> None:
    a4 = report.reader.pages[0].mediabox
    us = letter.reader.pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(us.width)), round(float(us.height))) == (612, 792)
    assert report_key(report.assessment, "a4") != report_key(letter.assessment, "letter")


def test_report_key_follows_what_the_bytes_depend_on() -> None:
    a = logistics_assessment()
    assert report_key(a) == report_key(logistics_assessment())
    assert report_key(a) != report_key(replace(a, title="Another title"))
    assert report_key(a) != report_key(replace(a, created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    assert report_key(a) != report_key(replace(a, input_hash="0" * 64))


RENDER_AND_HASH = (
    "import hashlib; from app.report.render import render_pdf; "
    "from tests.cases import logistics_assessment; "
    "print(hashlib.sha256(render_pdf(logistics_assessment())).hexdigest())"
)


def test_two_processes_render_the_same_bytes(report: Rendered) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    runs = [
        subprocess.Popen(  # noqa: S603  # our own interpreter and a fixed script
            [sys.executable, "-c", RENDER_AND_HASH],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    digests = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        digests.append(out.strip().splitlines()[-1])
    assert digests[0] == digests[1] == hashlib.sha256(report.pdf).hexdigest()


def test_isolated_rendering_gives_the_same_bytes_and_stops_at_its_deadline(
    report: Rendered,
) -> None:
    try:
        assert render_pdf_isolated(report.assessment, timeout_s=120, max_workers=1) == report.pdf
        with pytest.raises(ReportTimeoutError):
            render_pdf_isolated(report.assessment, timeout_s=0.01, max_workers=1)
    finally:
        shutdown_workers()


def test_each_serving_line_shows_its_estimated_answer_time(report: Rendered) -> None:
    """The HTML fed to WeasyPrint prints each line's p99 beside how it is served."""
    html = render_html(report.assessment)
    plans = report.assessment.result.cost.serving_plans
    estimated = [p.estimated_p99_ms for p in plans.values() if p.estimated_p99_ms is not None]
    assert estimated
    for p99 in estimated:
        assert ms(p99.expected) in html
    assert html.count('data-label="Answer time, p99 (estimated)"') == len(plans)
