"""Page 1 read from the document model (issue 22), for every public scenario and the seed's
fintech copilot with its $25,000 proposal: it says what to do and what it changes, with no
internal id, no web address, no ruled-out option advised, and only the plan's model and GPUs;
and the report stays short: at most 5 A4 pages before the appendix, 8 in all.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from hypothesis import given

from app.cost_model.catalogue import load_catalogue
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.document import SECTIONS, build_document
from app.views.page_one import PageOne, page_one
from app.vocabulary import words
from tests.cases import CREATED
from tests.conftest import shared_spec
from tests.reading import what_a_person_reads
from tests.rendered_reports import rendered_report, scenario_assessment
from tests.strategies import FAST, answers, context

PROPOSAL = {
    "approach": "full_fine_tuning",
    "base_model": "llama-3.1-70b",
    "gpu": "h100-80gb",
    "gpu_count": 8,
    "experiments": 40,
    "budget_usd": 25000,
    "lora_comparison_run": "no",
}
"""Seed 001's first worked example: the proposal the fintech team nearly made."""


def _bodies() -> list[Any]:
    try:
        rows = shared_spec("scenarios.json")["scenarios"]
    except pytest.skip.Exception:
        return [pytest.param(None, id="shared-spec-absent")]
    found = [
        pytest.param({"answers": s["answers"], "context": s["context"]}, id=s["id"]) for s in rows
    ]
    fintech = next(s for s in rows if s["id"] == "fintech-support-copilot")
    body = {"answers": fintech["answers"], "context": fintech["context"], "proposal": PROPOSAL}
    return [*found, pytest.param(body, id="fintech-with-its-proposal")]


BODIES = _bodies()


@cache
def _result(key: str) -> Recommendation:
    import json  # noqa: PLC0415  # the key is the body, as JSON, so results are made once

    return recommend(RecommendationRequest.model_validate(json.loads(key)))


def result_of(body: dict[str, Any] | None) -> Recommendation:
    if body is None:
        shared_spec("scenarios.json")
    import json  # noqa: PLC0415

    return _result(json.dumps(body, sort_keys=True))


def texts(one: PageOne) -> list[str]:
    found = [one.heading, one.lead, one.confidence.value, one.confidence.note]
    for row in one.facts:
        found += [row.label, row.value, row.note]
    if one.proposal is not None:
        found += [one.proposal.verdict, one.proposal.sentence]
    return found + [r.text for r in one.risks] + [r.source for r in one.risks]


@pytest.mark.parametrize("body", BODIES)
def test_page_one_is_in_words_without_addresses(body: dict[str, Any] | None) -> None:
    one = page_one(result_of(body))
    for text in texts(one):
        assert what_a_person_reads(text) == [], text
        assert not re.search(r"https?://|www\.", text), text
        assert "point" not in text.split(), text  # confidence in words, never points
    assert not one.lead.startswith("Recommended")
    assert not re.search(r"\(\$[\d,.]+\)", " ".join(texts(one)))  # no range equal to its figure


@pytest.mark.parametrize("body", BODIES)
def test_page_one_names_only_the_plans_models_and_gpus(body: dict[str, Any] | None) -> None:
    r = result_of(body)
    catalogue = load_catalogue()
    plan = r.cost.payback.line if r.cost.payback is not None else None
    serving = r.cost.serving_plans.get(plan) if plan else None
    allowed_gpus = {r.plan.gpu, serving.gpu if serving else None} - {None}
    allowed_models = {words.model_name(r.plan.base_model)} if r.plan.base_model else set()
    page = " ".join(texts(page_one(r)))
    for gpu in catalogue.gpus.values():
        if gpu.id not in allowed_gpus:
            assert gpu.name not in page, gpu.name
    for model in catalogue.models:
        name = words.model_name(model)
        if name not in allowed_models and name not in page.split(" against ")[-1]:
            assert f" {name} " not in f" {page} ".replace(",", " "), name
    assert "1x A100" not in page


@pytest.mark.parametrize("body", BODIES)
def test_page_one_advises_no_ruled_out_option(body: dict[str, Any] | None) -> None:
    r = result_of(body)
    one = page_one(r)
    ruled_out = {s.approach for s in r.ranking if not s.eligible}
    managed = next((o for o in r.cost.options if o.line == "managed"), None)
    open_service = managed is not None and managed.eligible  # its lock-in is a risk in play
    risky = " ".join(x.text for x in one.risks if not (open_service and "managed" in x.text))
    if r.plan.fine_tuning_approach is None:  # nothing is trained: no fine-tuning risk
        for word in ("adapter", "fine-tuned model", "fine-tuning service", "training corpus"):
            assert word not in risky, word
    assert r.approach not in ruled_out
    for approach in ruled_out:  # the lead never tells the reader to do what was ruled out
        assert f"with {words.approach_in_sentence(approach.value)} " not in one.lead
    opening = {"rag": "Answer from your own documents", "dont_fine_tune": "Don't fine-tune"}
    assert one.lead.startswith(opening.get(r.approach.value, "Fine-tune"))


@pytest.mark.parametrize("body", BODIES)
def test_why_gives_only_reasons_for_the_recommendation(body: dict[str, Any] | None) -> None:
    r = result_of(body)
    doc = build_document(r, title="Check", created_at=CREATED)
    fired = {f.reason: f for f in r.rules_fired}
    for reason in doc.why:
        rule = fired.get(reason.text)
        if rule is not None and rule.effect != "warning":
            assert (
                r.approach.value in rule.effect
                or "excludes" in rule.effect
                or ("only as a complement" in rule.effect)
            ), rule.id
    for line in doc.alternatives:  # ruled-out options one line each, their reason short
        assert "\n" not in line
        assert len(line) < 240, line


def test_the_proposal_verdict_and_saving_against_the_ask_are_on_page_one() -> None:
    body = BODIES[-1].values[0]
    one = page_one(result_of(body))
    assert one.proposal is not None
    assert one.proposal.verdict == "Send back"
    assert "The team asked for $25,000" in one.proposal.sentence
    assert "less than the ask" in one.proposal.sentence


def test_an_api_replacement_takes_the_guides_twelve_to_twenty_weeks() -> None:
    rows = {r.id: r for r in BODIES if r.id == "logistics-api-replacement"}
    if not rows:
        pytest.skip("the shared scenarios are absent")
    one = page_one(result_of(rows["logistics-api-replacement"].values[0]))
    timeline = next(row for row in one.facts if row.label == "Timeline")
    assert timeline.value == "12 to 20 weeks for the whole project"
    assert "maybe 30%" in timeline.note
    assert "replaces about" in one.lead


PRICES_HEADING = "Where the monthly prices come from"


@pytest.mark.parametrize("body", BODIES[:-1])
def test_the_report_is_short(body: dict[str, Any] | None) -> None:
    """At most 8 A4 pages in all, and the appendix starts by page 5: the body (page 1 to the
    last risk) takes at most five pages. A plan that trains also carries its training recipe
    in the appendix (issue 27), for the ML lead who runs it: at most two pages of its own,
    not counted in the eight."""
    if body is None:
        shared_spec("scenarios.json")  # a skip, or a failure under CI: the scenarios are absent
    assert body is not None
    a = scenario_assessment(body)
    pages = rendered_report(a).pages
    appendix = next(n for n, text in enumerate(pages, 1) if SECTIONS["appendix"] in text)
    assert appendix <= 5, f"the appendix starts on page {appendix}"
    recipe_pages = 0
    if a.result.plan.recipe is not None:
        starts = next(n for n, t in enumerate(pages) if n >= appendix and SECTIONS["recipe"] in t)
        after = next(n for n, t in enumerate(pages) if n >= starts and PRICES_HEADING in t)
        recipe_pages = after - starts  # the page breaks the recipe adds
        assert recipe_pages <= 2, f"the recipe adds {recipe_pages} pages"
    assert len(pages) - recipe_pages <= 8, f"{len(pages)} pages, {recipe_pages} of the recipe"


@FAST
@given(answers, context)
def test_a_saving_that_crosses_zero_is_about_break_even_on_page_one(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    """Page 1's saving row reads the payback's `crosses_zero` and `depends_on`: about
    break-even with the factor it depends on most, never said in one direction; and no range
    that is its own figure (`is_exact`) is printed."""
    r = recommend(RecommendationRequest.model_validate({"answers": a, "context": c}))
    p = r.cost.payback
    assert p is not None
    rows = {row.label: row for row in page_one(r).facts}
    row = rows.get(f"Over {p.months} months")
    if row is None or p.line == p.versus:
        return
    if p.crosses_zero:
        assert row.value.startswith("About break-even against ")
        if p.depends_on is not None:
            said = row.value.rsplit("; it depends most on ", 1)[-1]
            assert said.removeprefix("the ") == p.depends_on.label.removeprefix("the ")
    else:
        assert not row.value.startswith("About break-even")
        assert ("range" in row.value) is not p.saving_usd.is_exact
    running = rows.get("Running cost")
    if running is not None and r.cost.monthly_range[p.line].is_exact:
        assert " to " not in running.value


def test_a_lead_whose_costs_match_says_the_fine_tuning_is_for_quality() -> None:
    """On-prem fintech: self-hosting the fine-tuned 8B costs what prompting it would; the lead
    said 'about $5,200 a month, against about $5,200', which leaves the reader to work it out."""
    from benchmarks.situations import situations  # noqa: PLC0415

    body = situations()["fintech-with-proposal"]
    r = recommend(RecommendationRequest.model_validate(body))
    lead = page_one(r).lead
    assert "the fine-tuning is for the quality it adds" in lead
    assert "against about" not in lead


@pytest.mark.parametrize("body", BODIES)
def test_the_appendix_names_the_rules_that_fired_in_words(body: dict[str, Any] | None) -> None:
    """The report's 'How the score was reached' printed rule ids and `lora +1; qlora +1`."""
    r = result_of(body)
    doc = build_document(r, title="Check", created_at=CREATED)
    ids = {f.id for f in r.rules_fired}
    for row in doc.scoring_rules:
        assert row.label not in ids, row.label
        assert not re.search(r"\b(full_fine_tuning|dont_fine_tune|lora|qlora|rag)\b", row.value)
