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

LETTER_READ = ("fintech-support-copilot", "logistics-api-replacement")
"""Scenarios whose US Letter report is read too (the rest are read on A4)."""

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


def _raw_ids() -> re.Pattern[str]:
    """What an id looks like where a person reads words, from the catalogues themselves: model,
    GPU, approach and reference-model ids, answer values with underscores, raw booleans and
    floats. Plain-word values ("daily", "both") are words already."""
    from app.cost_model.catalogue import load_catalogue  # noqa: PLC0415
    from app.cost_model.prices import reference_api_choices  # noqa: PLC0415
    from app.questions.catalogue import question_catalogue  # noqa: PLC0415
    from app.rules.approaches import Approach  # noqa: PLC0415

    catalogue = load_catalogue()
    ids = {*catalogue.models, *catalogue.gpus, *(c.id for c in reference_api_choices())}
    ids |= {a.value for a in Approach if "_" in a.value}
    for entry in [*question_catalogue()["questions"], *question_catalogue()["context"]]:
        ids |= {entry["id"]} if "_" in entry["id"] else set()  # "tenants" is a word
        ids |= {str(o["value"]) for o in entry.get("options", []) if "_" in str(o["value"])}
    words = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{words}|True|False|\d+\.0(?! ?[A-Za-z%]))(?![\w-])")


def test_the_raw_id_pattern_sees_ids_and_spares_words() -> None:
    raw = _raw_ids()
    leaked = "llama-3.1-8b on l40s-48gb x 1, full_fine_tuning, consistent_tone, False, 1000.0"
    assert raw.findall(leaked) == [
        "llama-3.1-8b",
        "l40s-48gb",
        "full_fine_tuning",
        "consistent_tone",
        "False",
        "1000.0",
    ]
    spoken = "Llama 3.1 8B on 1 x NVIDIA L40S 48GB: full fine-tuning, 1,000 tenants, 10.0 GB"
    assert raw.findall(spoken) == []


def _before_the_scoring(pdf_text: str) -> str:
    """The PDF's text up to its last section, the appendix's "How the score was reached"."""
    return pdf_text[: pdf_text.rindex("How the score was reached")]


@pytest.mark.parametrize("scenario", _scenarios())
def test_no_raw_id_where_a_person_reads(client: TestClient, scenario: Any) -> None:
    """Ids stay in the API and in "How the score was reached": the page and both papers of the
    PDF speak in names ("Llama 3.1 8B", "NVIDIA L40S 48GB", "Full fine-tuning")."""
    if scenario is None:
        shared_spec("scenarios.json")
    body = {"answers": scenario["answers"], "context": scenario["context"], "title": "Check"}
    aid = client.post("/api/v1/assessments", json=body).json()["id"]
    raw = _raw_ids()
    page = _visible_text(client.get(f"/assessments/{aid}").text)
    page = re.sub(r'<select.*?</select>|value="[^"]*"', "", page, flags=re.DOTALL)
    assert raw.findall(page) == []
    # Letter paginates the same text differently: two scenarios are enough to read it.
    papers = ("a4", "letter") if scenario["id"] in LETTER_READ else ("a4",)
    for paper in papers:
        pdf = client.get(f"/assessments/{aid}/report.pdf?paper={paper}").content
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert raw.findall(_before_the_scoring(text)) == [], paper
