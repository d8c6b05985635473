"""The decision document read as a person reads it (issue 13), for every public scenario: the
results page and the PDF, in A4 and US Letter, say things in words, put the summary figures
on the first page, fill their pages and never cut a table row in two.

The ids a person must never read are derived from the catalogues (tests/reading.py). They may
appear only in "How the score was reached", collapsed on the page and in the PDF's appendix.
Each scenario's report is laid out once per paper and run (tests/rendered_reports.py), shared
by these checks and the other modules that read it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import weasyprint  # type: ignore[import-untyped]  # WeasyPrint ships no types
from fastapi.testclient import TestClient

from app.assessments.store import StoredAssessment
from app.config import Settings
from app.cost_model.catalogue import load_catalogue
from app.main import create_app
from app.questions.models import Context
from app.report.render import Paper
from app.views.page_one import page_one
from app.vocabulary import words
from tests.conftest import shared_spec
from tests.reading import SCORING, what_a_person_reads
from tests.rendered_reports import TITLE, RenderedReport, rendered_report, scenario_assessment
from tests.report_layout import fill, headings_left_at_the_foot, rows_cut_across_pages

PAPERS: tuple[Paper, ...] = ("a4", "letter")


def _scenarios() -> list[Any]:
    try:
        rows = shared_spec("scenarios.json")["scenarios"]
    except pytest.skip.Exception:
        return [pytest.param(None, id="shared-spec-absent")]
    return [pytest.param(s, id=s["id"]) for s in rows]


SCENARIOS = _scenarios()


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Document:
    scenario: dict[str, Any]
    assessment: StoredAssessment
    page: str
    """The results page's HTML."""
    reports: dict[Paper, RenderedReport]


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("decision-document") / "tunewise.sqlite3"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{db}"))) as c:
        yield c


@pytest.fixture(scope="module")
def made() -> dict[str, Document]:
    """The documents made so far in this module, by scenario id."""
    return {}


@pytest.fixture
def document(app_client: TestClient, made: dict[str, Document], scenario: Any) -> Document:
    """The scenario's results page and its reports in both papers, made once per module."""
    if scenario is None:
        shared_spec("scenarios.json")
    key = scenario["id"]
    if key not in made:
        body = {"answers": scenario["answers"], "context": scenario["context"], "title": TITLE}
        created = app_client.post("/api/v1/assessments", json=body)
        assert created.status_code == 201, created.text
        page = app_client.get(f"/assessments/{created.json()['id']}").text
        inputs = {"answers": scenario["answers"], "context": scenario["context"]}
        assessment = scenario_assessment(inputs)
        reports = {paper: rendered_report(assessment, paper) for paper in PAPERS}
        made[key] = Document(scenario, assessment, page, reports)
    return made[key]


def page_text_outside_the_scoring(page: str) -> str:
    """The results page's text, less the collapsed scoring section and the script data."""
    page = re.sub(r'<details class="scoring".*?</details>', "", page, flags=re.DOTALL)
    page = re.sub(r"<script.*?</script>", "", page, flags=re.DOTALL)
    page = re.sub(r"<title>.*?</title>", "", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def report_text_outside_the_scoring(report: RenderedReport) -> str:
    """The report's text up to the appendix's scoring section."""
    return "\n".join(report.pages).split(SCORING)[0]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_results_page_is_in_words(document: Document) -> None:
    page = page_text_outside_the_scoring(document.page)
    assert what_a_person_reads(page) == []
    assert SCORING in document.page  # the ids have a place to go


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_results_page_shows_every_deployment_answer(document: Document) -> None:
    """Given or left at its default, each deployment answer is there to check; the model size
    is asked only for a model outside the catalogue."""
    page = _squash(page_text_outside_the_scoring(document.page))
    deployment = page.split("Your deployment", 1)[1]
    context = document.assessment.result.context
    for name in Context.model_fields:
        if name == "model_size_b" and context.model_size_b is None:
            continue
        label = _squash(html.unescape(words.question_label(name)))
        assert label in deployment, label


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_report_is_in_words(document: Document, paper: Paper) -> None:
    report = document.reports[paper]
    assert what_a_person_reads(report_text_outside_the_scoring(report)) == []
    assert SCORING in "\n".join(report.pages)  # the ids have a place to go


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_first_page_carries_the_summary_figures(document: Document, paper: Paper) -> None:
    first = _squash(document.reports[paper].pages[0])
    one = page_one(document.assessment.result)
    for row in (*one.facts, one.confidence):
        assert row.label in first, row.label
        assert _squash(row.value) in first, (row.label, row.value)


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_page_but_the_last_is_at_least_a_third_full(document: Document, paper: Paper) -> None:
    report = document.reports[paper]
    thin = {n: f for n, f in enumerate(report.fill[:-1], 1) if f < 1 / 3}
    assert thin == {}, f"pages under a third full (page: fill): {thin}"


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_row_is_cut_and_no_heading_is_left_behind(document: Document, paper: Paper) -> None:
    report = document.reports[paper]
    assert report.rows_cut == []
    assert report.headings_at_the_foot == []


def test_the_layout_checks_see_a_thin_page_a_cut_row_and_a_stranded_heading() -> None:
    """The page measures read WeasyPrint's boxes as a reader sees the pages."""
    css = "@page { size: 400px 400px; margin: 0 } body { margin: 0 } div { line-height: 20px }"
    rows = "".join(f"<tr><td>row {n} " + "word " * 80 + "</td></tr>" for n in (1, 2))
    cut = weasyprint.HTML(string=f"<style>{css}</style><table>{rows}</table>").render()
    assert [text[:5] for text in rows_cut_across_pages(cut)] == ["row 2"]
    kept = weasyprint.HTML(
        string=f"<style>{css} tr {{ break-inside: avoid }}</style><table>{rows}</table>"
    ).render()
    assert rows_cut_across_pages(kept) == []
    stranded = weasyprint.HTML(
        string=f"<style>{css} h2 {{ break-after: auto !important; margin: 0;"
        " line-height: 30px }</style><div style='height: 352px'>top</div><h2>Heading</h2>"
        "<div>text</div>"
    ).render()
    assert headings_left_at_the_foot(stranded) == [1]
    thin = weasyprint.HTML(
        string=f"<style>{css}</style><div>one line</div>"
        "<div style='break-before: page; padding-top: 180px'>half a page</div>"
    ).render()
    assert fill(thin) == [0.05, 0.5]  # the last line ends 20 px, then 200 px, down 400


def test_the_checks_catch_what_a_person_would() -> None:
    """The reader flags each kind of slip, and passes the words that replaced them."""
    model, gpu = next(iter(load_catalogue().models)), next(iter(load_catalogue().gpus))
    slips = [
        f"Base model {model}",
        f"Training on {gpu} x 1",
        "Eligible: False",
        "Budget 1000.0",
        "Method full_fine_tuning",
        "Tone consistent_tone",
        "Source: 004_02a8e409d34db6ef.txt",
        "1 replica(s)",
        "rule lora-is-the-default fired",
    ]
    for slip in slips:
        assert what_a_person_reads(slip), slip
    fine = "LoRA on 1 \u00d7 NVIDIA L40S 48GB costs $1,000 a month; rules 1.5.0; GPT-5.2"
    assert what_a_person_reads(fine) == []
