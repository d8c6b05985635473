"""The A4 report is rendered when an assessment is saved, so the first download is a cache read.

Renders are counted by wrapping the render where each path calls it: the download's own
(`render_pdf_async`, app.http.downloads) and the background one (`render_pdf_isolated`,
app.http.prerender).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.assessments.store import StoredAssessment
from app.config import Settings
from app.http import downloads, prerender
from app.http.prerender import ReportPrerenderer
from app.main import create_app
from app.report import worker
from app.report.render import render_pdf
from app.report.worker import (
    ReportBusyError,
    render_pdf_async,
    render_pdf_isolated,
    shutdown_workers,
)
from tests.cases import logistics_assessment
from tests.conftest import BASE_ANSWERS
from tests.wizard import finish, walk

REAL = render_pdf_isolated
REAL_ASYNC = render_pdf_async


@dataclass
class Renders:
    """How often each path rendered, and what the background render does first."""

    on_demand: int = 0
    background: int = 0
    before_background: Callable[[], None] = lambda: None
    papers: list[str] = field(default_factory=list)

    async def download(self, *args: Any, **kwargs: Any) -> bytes:
        self.on_demand += 1
        self.papers.append(args[1])
        return await REAL_ASYNC(*args, **kwargs)

    def ahead(self, *args: Any, **kwargs: Any) -> bytes:
        self.background += 1
        self.before_background()
        return REAL(*args, **kwargs)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Renders:
    counted = Renders()
    monkeypatch.setattr(downloads, "render_pdf_async", counted.download)
    monkeypatch.setattr(prerender, "render_pdf_isolated", counted.ahead)
    return counted


def _client(tmp_path: Path, **overrides: Any) -> TestClient:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 't.sqlite3'}",
        report_prerender=True,
        metrics="public",
        **overrides,
    )
    return TestClient(create_app(settings))


def _create(client: TestClient, title: str = "Ahead of the click") -> str:
    response = client.post("/api/v1/assessments", json={"answers": BASE_ANSWERS, "title": title})
    assert response.status_code == 201, response.text
    assessment_id: str = response.json()["id"]
    return assessment_id


def _idle(client: TestClient) -> None:
    assert client.app.state.prerender.idle(120)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_workers() -> Iterator[None]:
    yield
    shutdown_workers()


def test_the_first_a4_download_after_a_save_is_served_from_the_cache(
    tmp_path: Path, renders: Renders
) -> None:
    with _client(tmp_path) as client:
        assessment_id = _create(client)
        _idle(client)
        assert renders.background == 1
        api = client.get(f"/api/v1/assessments/{assessment_id}/report.pdf")
        page = client.get(f"/assessments/{assessment_id}/report.pdf")
        assert api.status_code == page.status_code == 200
        assert renders.on_demand == 0, "the download rendered again"
        stored = client.app.state.store.get(assessment_id)  # type: ignore[attr-defined]
        assert api.content == page.content == render_pdf(stored, "a4")
        letter = client.get(f"/assessments/{assessment_id}/report.pdf?paper=letter")
        assert letter.status_code == 200
        assert renders.papers == ["letter"], "Letter renders on demand"


def _into_the_next_second(saved: StoredAssessment) -> None:
    """Wait until the clock has left the second `saved` is dated in. A report's key holds its
    date to the second, so an import made within the same second as the original has the
    original's key, and its report (the same bytes) is already in the cache: on a fast machine
    the whole walk, render and download took under a second, and the test failed at random."""
    while datetime.now(UTC).replace(microsecond=0) <= saved.created_at:
        time.sleep(0.02)


def test_the_wizard_and_both_imports_render_ahead_too(tmp_path: Path, renders: Renders) -> None:
    """Every way of saving goes through the service's one save, so none forgets the report.
    An import is dated when it is made (issue 15), so its report is rendered ahead anew (once
    for both imports when they share a second)."""
    with _client(tmp_path) as client:
        location = finish(client, walk(client), title="From the wizard")
        _idle(client)
        assert renders.background == 1
        pdf = client.get(f"{location}/report.pdf")
        assert pdf.status_code == 200
        assert renders.on_demand == 0
        _into_the_next_second(client.app.state.store.get(location.rsplit("/", 1)[-1]))  # type: ignore[attr-defined]
        imported = client.post(
            "/api/v1/assessments/import",
            content=pdf.content,
            headers={"content-type": "application/pdf"},
        )
        assert imported.status_code == 201
        uploaded = client.post(
            "/assessments/import",
            files={"file": ("report.pdf", pdf.content, "application/pdf")},
            follow_redirects=False,
        )
        assert uploaded.status_code == 303
        _idle(client)
        for reopened in (imported.json()["links"]["html"], uploaded.headers["location"]):
            assert client.get(f"{reopened}/report.pdf").status_code == 200
        assert renders.on_demand == 0, "an import's report was not rendered ahead"
        assert renders.background >= 2


def test_saving_does_not_wait_and_a_download_meanwhile_waits_for_that_render(
    tmp_path: Path, renders: Renders
) -> None:
    started, release = threading.Event(), threading.Event()

    def held() -> None:
        started.set()
        assert release.wait(60)

    renders.before_background = held
    with _client(tmp_path) as client:
        began = time.monotonic()
        assessment_id = _create(client)
        assert started.wait(30)
        assert not release.is_set(), "the save returned only after the render"
        assert time.monotonic() - began < 10
        threading.Timer(0.3, release.set).start()
        response = client.get(f"/api/v1/assessments/{assessment_id}/report.pdf")
        assert response.status_code == 200
        assert (renders.background, renders.on_demand) == (1, 0)


def test_a_failing_background_render_leaves_the_save_and_the_download_working(
    tmp_path: Path, renders: Renders, caplog: pytest.LogCaptureFixture
) -> None:
    def fail() -> None:
        raise RuntimeError("the font cache is gone")

    renders.before_background = fail
    with caplog.at_level(logging.INFO, logger="app.http.prerender"), _client(tmp_path) as client:
        assessment_id = _create(client)
        _idle(client)
        lines = [r.getMessage() for r in caplog.records if r.name == "app.http.prerender"]
        assert len(lines) == 1
        assert assessment_id in lines[0]
        assert "the font cache is gone" in lines[0]
        response = client.get(f"/assessments/{assessment_id}/report.pdf")
        assert response.status_code == 200
        assert renders.on_demand == 1
        metrics = client.get("/metrics").text
        assert 'tunewise_report_prerenders_total{outcome="failed"} 1.0' in metrics


def test_renders_ahead_never_count_against_the_clients_render_limit(
    tmp_path: Path, renders: Renders
) -> None:
    """Issue 24: after 30 saves, 6 of 6 downloads got 429, because each save's render ahead
    took a unit of the client's render budget. Now the whole budget is left for downloads."""
    with _client(tmp_path, rate_limit_reports="1/minute") as client:
        first, second = _create(client, "one"), _create(client, "two")
        _idle(client)
        assert renders.background == 2
        assert client.get(f"/api/v1/assessments/{first}/report.pdf").status_code == 200
        assert client.get(f"/api/v1/assessments/{second}/report.pdf").status_code == 200
        letter = f"/api/v1/assessments/{first}/report.pdf?paper=letter"
        assert client.get(letter).status_code == 200  # the one unit, still there
        refused = client.get(f"/api/v1/assessments/{second}/report.pdf?paper=letter")
        assert refused.status_code == 429
        assert refused.headers["ratelimit"].startswith('"reports";r=0;')
        assert renders.on_demand == 1
        metrics = client.get("/metrics").text
        assert 'tunewise_report_prerenders_total{outcome="rendered"} 2.0' in metrics


def test_past_the_queue_a_save_is_dropped_not_queued(tmp_path: Path, renders: Renders) -> None:
    started, release = threading.Event(), threading.Event()

    def held() -> None:
        started.set()
        assert release.wait(60)

    renders.before_background = held
    settings = Settings(database_url=f"sqlite:///{tmp_path / 't.sqlite3'}", metrics="public")
    app = create_app(settings)
    app.state.prerender = ReportPrerenderer(
        enabled=True, timeout_s=60, workers=2, metrics=app.state.metrics, max_pending=1
    )
    with TestClient(app) as client:
        _create(client, "queued")
        assert started.wait(30)
        dropped = _create(client, "dropped")
        release.set()
        _idle(client)
        assert renders.background == 1
        assert client.get(f"/api/v1/assessments/{dropped}/report.pdf").status_code == 200
        assert renders.on_demand == 1
        metrics = client.get("/metrics").text
        assert 'tunewise_report_prerenders_total{outcome="queue_full"} 1.0' in metrics


def test_a_render_ahead_never_waits_for_a_slot() -> None:
    """With every slot taken, the background render gives way at once: it never queues in
    front of a person's download, and never makes more renders run than `report_workers`."""
    worker._executor(1, None)  # the pool and its slots, no process started yet
    slots = worker._slots  # the pool's own slots, held as a download would
    assert slots is not None
    assert slots.try_acquire()
    try:
        began = time.monotonic()
        with pytest.raises(ReportBusyError):
            render_pdf_isolated(logistics_assessment(), max_workers=1, wait_for_slot=False)
        assert time.monotonic() - began < 1
    finally:
        slots.release()
