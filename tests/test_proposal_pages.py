"""001's fintech proposal through the API, the wizard, the results page and the PDF (issue 16):
costed side by side, its anti-patterns flagged, and a verdict, in words."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.pages import check_page
from tests.proposals import ANSWERS, FINTECH_PROPOSAL, ON_PREM
from tests.reading import SCORING, visible_text, what_a_person_reads
from tests.wizard import form_data, hidden_fields, walk

BODY: dict[str, Any] = {"answers": ANSWERS, "context": ON_PREM, "proposal": FINTECH_PROPOSAL}

FLAG_TITLES = (
    "Full fine-tuning without a LoRA comparison",
    "GPUs sized for full fine-tuning",
    "A model too large for the inference setup",
)
QUESTIONS = (
    "What specific quality limit did LoRA hit?",
    "What\u2019s the actual GPU memory needed for a LoRA run on this model?",
)


def test_api_reviews_the_fintech_proposal(client: TestClient) -> None:
    response = client.post("/api/v1/recommendations", json=BODY)
    assert response.status_code == 200, response.text
    review = response.json()["proposal_review"]
    assert review["verdict"] in {"send_back", "approve_with_changes"}
    ids = {f["id"] for f in review["anti_patterns"]}
    assert {
        "proposal-full-without-lora-comparison",
        "proposal-gpus-sized-for-full",
        "proposal-model-too-large-for-inference",
    } <= ids
    assert review["recommended"]["model_name"] == "Llama 3.1 8B"
    assert review["saving_usd"]["expected"] > 0
    plain = client.post(
        "/api/v1/recommendations", json={k: BODY[k] for k in ("answers", "context")}
    )
    assert plain.json()["proposal_review"] is None


def test_api_refuses_a_bad_proposal_field_by_field(client: TestClient) -> None:
    proposal = {**FINTECH_PROPOSAL, "gpu_count": 0, "locked_test_set": "maybe", "gpu": "tpu"}
    response = client.post("/api/v1/recommendations", json={**BODY, "proposal": proposal})
    assert response.status_code == 422
    text = response.text
    for field in ("gpu_count", "locked_test_set", "gpu"):
        assert field in text


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).replace("'", "\u2019")


def test_page_and_pdf_show_the_review_after_the_summary(client: TestClient) -> None:
    created = client.post("/api/v1/assessments", json={**BODY, "title": "Fintech proposal"})
    assert created.status_code == 201, created.text
    aid = created.json()["id"]
    results = client.get(f"/assessments/{aid}").text
    check_page(results)
    page = _flat(visible_text(results))
    pdf = client.get(f"/assessments/{aid}/report.pdf").content
    whole = _flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for text, first_after in ((page, "Why"), (whole, "The recommendation")):
        assert "Proposal review" in text
        assert "Verdict: Send back" in text
        for wanted in (*FLAG_TITLES, *QUESTIONS, "Llama 3.1 70B", "Boolean & Beyond"):
            assert wanted in text, wanted
        review_at = text.index("Proposal review")
        assert review_at < text.index(first_after, review_at)
    assert page.index("Confidence") < page.index("Proposal review")
    assert what_a_person_reads(page) == []
    assert what_a_person_reads(whole.split(SCORING)[0]) == []
    # The PDF carries the proposal in its embedded inputs: reopened, it is reviewed again.
    reopened = client.post(
        "/api/v1/assessments/import", content=pdf, headers={"content-type": "application/pdf"}
    )
    assert reopened.status_code == 201, reopened.text
    review = reopened.json()["result"]["proposal_review"]
    assert review["proposal"]["base_model"] == "llama-3.1-70b"
    assert review["verdict"] == "send_back"


def _proposal_step(client: TestClient) -> str:
    """Through the wizard to the proposal step; its page."""
    check = client.get(walk(client))
    deployment = re.search(r'href="(/wizard/deployment[^"]*)"', check.text)
    assert deployment is not None
    page = client.get(deployment.group(1).replace("&amp;", "&"))
    form = [*hidden_fields(page.text), ("on_prem_required", "yes"), ("title", "Fintech")]
    step = client.post("/wizard/deployment", data=form_data([*form, ("next", "proposal")]))
    assert step.status_code == 200, step.text[:500]
    check_page(step.text)
    assert "The team\u2019s proposal" in step.text or "The team's proposal" in step.text
    return step.text


def test_wizard_step_keeps_values_and_shows_errors_beside_fields(client: TestClient) -> None:
    hidden = hidden_fields(_proposal_step(client))
    assert ("on_prem_required", "yes") in hidden
    typed = [("proposal_gpu_count", "lots"), ("proposal_experiments", "40")]
    bad = client.post("/wizard/proposal", data=form_data([*hidden, *typed]))
    assert bad.status_code == 422
    check_page(bad.text)
    assert 'id="proposal_approach-error"' in bad.text
    assert 'id="proposal_gpu_count-error"' in bad.text
    assert "The number of GPUs must be a whole number" in bad.text
    assert 'value="lots"' in bad.text
    assert 'value="40"' in bad.text


def test_wizard_reviews_the_fintech_proposal(client: TestClient) -> None:
    hidden = hidden_fields(_proposal_step(client))
    entered = [
        ("proposal_approach", "full_fine_tuning"),
        ("proposal_base_model", "llama-3.1-70b"),
        ("proposal_gpu", "h100-80gb"),
        ("proposal_gpu_count", "8"),
        ("proposal_experiments", "40"),
        ("proposal_budget_usd", "$25,000"),
        ("proposal_locked_test_set", "not_stated"),
        ("proposal_lora_comparison_run", "no"),
    ]
    made = client.post(
        "/wizard/proposal", data=form_data([*hidden, *entered]), follow_redirects=False
    )
    assert made.status_code == 303, made.text[:800]
    page = _flat(visible_text(client.get(made.headers["location"]).text))
    assert "Proposal review" in page
    assert "Verdict: Send back" in page
    assert "The team asked for $25,000" in page
    for wanted in FLAG_TITLES:
        assert wanted in page, wanted


def test_the_anti_patterns_are_published_with_their_sources(client: TestClient) -> None:
    patterns = client.get("/api/v1/rules").json()["proposal_anti_patterns"]
    assert {p["id"] for p in patterns} >= {"proposal-full-without-lora-comparison"}
    assert all("Boolean & Beyond" in p["source"] and ".txt" not in p["source"] for p in patterns)
    method = html.unescape(client.get("/method").text)
    assert "Reviewing a team's proposal" in method
    assert "What specific quality limit did LoRA hit?" in method
