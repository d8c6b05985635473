"""The decision document read as a person reads it (issue 13): for each public scenario, the
results page and the PDF carry the executive summary first, cite documents rather than file
names, and never print a "(s)" plural.

The PDF is the scenario's report as every module reads it, laid out once a run
(tests/rendered_reports.py); that the download route serves the report `render_pdf` makes is
tests/test_report_prerender.py's check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import shared_spec
from tests.reading import visible_text
from tests.rendered_reports import TITLE, rendered_report, scenario_assessment

SUMMARY_LABELS = ("Build cost", "Running cost", "Over 24 months", "Confidence")


def _scenarios() -> list[Any]:
    try:
        rows = shared_spec("scenarios.json")["scenarios"]
    except pytest.skip.Exception:
        return [pytest.param(None, id="shared-spec-absent")]
    return [pytest.param(s, id=s["id"]) for s in rows]


@pytest.mark.parametrize("scenario", _scenarios())
def test_page_and_report_read_like_a_document(client: TestClient, scenario: Any) -> None:
    if scenario is None:
        shared_spec("scenarios.json")
    inputs = {"answers": scenario["answers"], "context": scenario["context"]}
    created = client.post("/api/v1/assessments", json={**inputs, "title": TITLE})
    assert created.status_code == 201, created.text
    aid = created.json()["id"]
    html = client.get(f"/assessments/{aid}").text
    page = visible_text(html)
    pages = rendered_report(scenario_assessment(inputs)).pages
    first = pages[0]
    whole = "\n".join(pages)
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
