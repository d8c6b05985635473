"""What one render process keeps between reports (the parsed stylesheets and the fonts they
register, the charts it drew) and what it changes for one render (the collector's threshold)
leave the bytes as they were: the same input gives the same PDF, in a worker or not, first or
again, with another report rendered in between."""

from __future__ import annotations

import gc
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.assessments.store import StoredAssessment
from app.questions import RecommendationRequest
from app.report import render
from app.report.fetcher import ReportFetcher
from app.report.render import FONTS_DIR, render_html, render_pdf
from app.report.worker import render_pdf_isolated, shutdown_workers
from app.rules.recommend import recommend
from tests.cases import LOGISTICS

BODY = LOGISTICS


@pytest.fixture(scope="module")
def assessment() -> StoredAssessment:
    result = recommend(RecommendationRequest.model_validate(BODY))
    created = datetime(2026, 11, 12, 9, 30, tzinfo=UTC)
    return StoredAssessment.of(result, assessment_id="reuse", title="Reuse", created_at=created)


@pytest.fixture(scope="module")
def fresh(assessment: StoredAssessment) -> bytes:
    """Rendered as if for the first time: its own fetcher, so its own stylesheets and fonts,
    and the chart drawn anew."""
    render.forget_drawn_charts()
    return render_pdf(assessment, fetcher=ReportFetcher([FONTS_DIR]))


def test_two_renders_in_one_worker_give_the_same_bytes(
    assessment: StoredAssessment, fresh: bytes
) -> None:
    try:
        first = render_pdf_isolated(assessment, timeout_s=120, max_workers=1)
        other = replace(assessment, title="Another report in between")
        assert render_pdf_isolated(other, timeout_s=120, max_workers=1) != first
        again = render_pdf_isolated(assessment, timeout_s=120, max_workers=1)
    finally:
        shutdown_workers()
    assert first == again == fresh


def test_kept_stylesheets_and_charts_change_no_byte(
    assessment: StoredAssessment, fresh: bytes
) -> None:
    render.forget_drawn_charts()
    html = render_html(assessment)
    assert render_html(replace(assessment, title="Another")) != html
    assert render_html(assessment) == html  # the chart now comes from what was kept
    assert render_pdf(assessment) == render_pdf(assessment) == fresh


def test_a_render_leaves_the_collector_as_it_found_it(
    assessment: StoredAssessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    original = render.render_html

    def spy(a: StoredAssessment) -> str:
        seen.append(gc.get_threshold())
        return original(a)

    monkeypatch.setattr(render, "render_html", spy)
    render_pdf(assessment)
    assert seen == [(render.GC_YOUNG_THRESHOLD, *before[1:])]
    assert gc.get_threshold() == before
