"""The decision document read as a person reads it (issue 13): for each public scenario, the
results page and the PDF carry the executive summary first, cite documents rather than file
names, and never print a "(s)" plural."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.conftest import shared_spec

SUMMARY_LABELS = ("Build cost", "Running cost", "Over 24 months", "Confidence")


def _scenarios() -> list[Any]:
    try:
        rows = shared_spec("scenarios.json")["scenarios"]
    except pytest.skip.Exception:
        return [pytest.param(None, id="shared-spec-absent")]
    return [pytest.param(s, id=s["id"]) for s in rows]


def _visible_text(html: str) -> str:
    """The page's text outside the collapsed scoring section and the script data."""
    html = re.sub(r'<details class="scoring".*?</details>', "", html, flags=re.DOTALL)
    html = re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("scenario", _scenarios())
def test_page_and_report_read_like_a_document(client: TestClient, scenario: Any) -> None:
    if scenario is None:
        shared_spec("scenarios.json")
    body = {"answers": scenario["answers"], "context": scenario["context"], "title": "Check"}
    created = client.post("/api/v1/assessments", json=body)
    assert created.status_code == 201, created.text
    aid = created.json()["id"]
    html = client.get(f"/assessments/{aid}").text
    page = _visible_text(html)
    pdf = PdfReader(io.BytesIO(client.get(f"/assessments/{aid}/report.pdf").content))
    first = pdf.pages[0].extract_text()
    whole = "\n".join(p.extract_text() for p in pdf.pages)
    months = created.json()["result"]["cost"]["months"]
    for wanted in SUMMARY_LABELS:
        label = wanted.replace("24", str(months))
        assert label in first, label  # a PM reading only page 1 can decide
        assert label in page, label
    for text in (page, whole):
        assert ".txt" not in text
        assert "(s)" not in text
    # The reason under the heading does not repeat it.
    lead = re.search(r'<p class="lead"[^>]*>(.*?)</p>', html, flags=re.DOTALL)
    assert lead is not None
    assert not lead.group(1).strip().startswith("Recommended:")
