"""Each distinct report laid out and written once per test run, shared by the tests that read it.

The decision-document checks, the page-one length check and the document test all read the
public scenarios' reports; a report takes a second or more to lay out and write, so each was
rendered up to four times a run. Here a report is kept by `report_key` (what its bytes depend
on: the inputs' hash, the versions, the title, the moment it was made and the paper), so a test
asking for a report another test already read gets that one, and a different title or paper
gets its own. The cache lives as long as the test process: one pytest session. Under
pytest-xdist the workers also share what they render, through a folder of the run (which
conftest.py names): a report one worker laid out is read back by the other instead of laid out
again (the decision-document checks and the page-one checks often land on different workers).

A helper module, not a test module (tests/test_architecture.py holds that no test module
imports another).
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pickle
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from app.assessments.store import StoredAssessment
from app.questions import RecommendationRequest
from app.report.keys import report_key
from app.report.render import Paper, layout
from app.rules.recommend import recommend
from tests.cases import CREATED
from tests.report_layout import fill, headings_left_at_the_foot, rows_cut_across_pages

TITLE = "Check"
"""The title of every scenario's stored assessment, so each module reads the same report."""


@dataclass(frozen=True)
class RenderedReport:
    """A report as WeasyPrint laid it out, written, and read back as a reader sees it."""

    pdf: bytes
    """The laid-out pages written as a PDF (WeasyPrint's writer without the download's PDF/A
    options and attachment): the pages and text a reader sees, not the download's bytes."""
    pages: list[str]
    """Each page's text, as pypdf reads it from the PDF."""
    fill: list[float]
    rows_cut: list[str]
    headings_at_the_foot: list[int]


_RENDERED: dict[str, RenderedReport] = {}

_SHARED: dict[str, Path] = {}
"""The folder this run's xdist workers share reports through, under "folder" once conftest.py
names it (`share_between_workers`); empty in a single process, which keeps its own."""


def share_between_workers(folder: Path) -> None:
    _SHARED["folder"] = folder


def rendered_report(assessment: StoredAssessment, paper: Paper = "a4") -> RenderedReport:
    """The report of `assessment` on `paper`, laid out the first time any test asks for it."""
    key = report_key(assessment, paper)
    if key not in _RENDERED:
        folder = _SHARED.get("folder")
        if folder is None:
            _RENDERED[key] = _render(assessment, paper)
        else:
            _RENDERED[key] = _shared(folder, key, assessment, paper)
    return _RENDERED[key]


def _shared(folder: Path, key: str, assessment: StoredAssessment, paper: Paper) -> RenderedReport:
    """The report from the run's shared folder, laid out and kept there by whichever worker
    asks first; a worker asking meanwhile waits on the key's lock, then reads it."""
    kept = folder / f"{key}.pickle"
    with (folder / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if kept.exists():
            report: RenderedReport = pickle.loads(kept.read_bytes())  # noqa: S301  # this run's own
            return report
        report = _render(assessment, paper)
        partial = kept.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(report))
        partial.replace(kept)
        return report


def _render(assessment: StoredAssessment, paper: Paper) -> RenderedReport:
    laid_out = layout(assessment, paper)
    pdf = laid_out.write_pdf()
    return RenderedReport(
        pdf=pdf,
        pages=[p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages],
        fill=fill(laid_out),
        rows_cut=rows_cut_across_pages(laid_out),
        headings_at_the_foot=headings_left_at_the_foot(laid_out),
    )


@cache
def _stored(body_json: str) -> StoredAssessment:
    request = RecommendationRequest.model_validate(json.loads(body_json))
    return StoredAssessment.of(
        recommend(request), assessment_id="check", title=TITLE, created_at=CREATED
    )


def scenario_assessment(body: dict[str, Any]) -> StoredAssessment:
    """A request body (a public scenario's answers and context) as a stored assessment titled
    `TITLE` and made at `CREATED`: the same one, and so the same report, in every module."""
    return _stored(json.dumps(body, sort_keys=True))
