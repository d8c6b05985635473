"""The report endpoint (cached, ETag) and reopening an assessment from its PDF."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import BASE_ANSWERS


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, bytes]]:
    """One app, one assessment and its rendered report, shared: a render takes seconds."""
    db = Path(tmp_path_factory.mktemp("reports")) / "tunewise.sqlite3"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{db}"))) as client:
        body = {"answers": BASE_ANSWERS, "title": "Report <b>check</b>"}
        assessment_id = client.post("/api/v1/assessments", json=body).json()["id"]
        first = client.get(f"/api/v1/assessments/{assessment_id}/report.pdf")
        assert first.status_code == 200, first.text
        yield client, assessment_id, first.content


def test_the_report_is_a_cached_pdf_with_an_etag(reporting: tuple[TestClient, str, bytes]) -> None:
    client, assessment_id, pdf = reporting
    url = f"/api/v1/assessments/{assessment_id}/report.pdf"
    again = client.get(url)
    assert again.headers["content-type"] == "application/pdf"
    assert again.content == pdf
    assert pdf.startswith(b"%PDF")
    assert "attachment" in again.headers["content-disposition"]
    etag = again.headers["etag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304


def test_paper_size_is_an_option(reporting: tuple[TestClient, str, bytes]) -> None:
    client, assessment_id, _ = reporting
    url = f"/api/v1/assessments/{assessment_id}/report.pdf"
    assert client.get(f"{url}?paper=a3").status_code == 422
    assert client.get("/api/v1/assessments/nope/report.pdf").status_code == 404


def test_a_report_reopens_its_assessment(reporting: tuple[TestClient, str, bytes]) -> None:
    client, assessment_id, pdf = reporting
    original = client.get(f"/api/v1/assessments/{assessment_id}").json()
    before = datetime.now(UTC).replace(microsecond=0)
    response = client.post(
        "/api/v1/assessments/import", content=pdf, headers={"content-type": "application/pdf"}
    )
    assert response.status_code == 201, response.text
    reopened = response.json()
    assert reopened["id"] != assessment_id
    for key in ("title", "answers", "context", "input_hash"):
        assert reopened[key] == original[key]
    assert datetime.fromisoformat(reopened["created_at"]) >= before  # dated by the server
    upload = client.post(
        "/assessments/import",
        files={"file": ("report.pdf", pdf, "application/pdf")},
        follow_redirects=False,
    )
    assert upload.status_code == 303
    assert upload.headers["location"].startswith("/assessments/")


@pytest.mark.parametrize("payload", [b"", b"%PDF-1.7\n%%EOF", b"not a pdf at all"])
def test_anything_else_is_refused_with_a_message(
    reporting: tuple[TestClient, str, bytes], payload: bytes
) -> None:
    client, _, _ = reporting
    response = client.post(
        "/api/v1/assessments/import", content=payload, headers={"content-type": "application/pdf"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    page = client.post(
        "/assessments/import", files={"file": ("x.pdf", payload or b"x", "application/pdf")}
    )
    assert page.status_code == 422
    assert "There is a problem" in page.text
