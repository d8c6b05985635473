"""Decision fidelity, round three (issue 23, classes 1 to 3): the seeds' cautions wherever
they apply, checked over random valid inputs (hypothesis) and on named scenarios.

1. Facts are retrieval's job: a knowledge-only objective never has a fine-tuning method as the
   primary approach, and a proposal that fine-tunes to teach facts is sent back.
2. Advice the engine ruled out is never given: on-prem, where no managed service can train,
   no summary, warning, reason or page-1 text tells the team a managed service is the route.
3. A LoRA plateau always carries the diagnose-first advice, on the LoRA path as much as on the
   full fine-tuning one; on under 1,000 examples the plateau stays with LoRA.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.questions import RecommendationRequest
from app.rules.base.approaches import FINE_TUNING
from app.rules.base.catalogue import load_rules
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.document import build_document
from tests.conftest import BASE_ANSWERS
from tests.strategies import answers as answer_strategy
from tests.strategies import context as context_strategy

MANY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CREATED = datetime(2026, 12, 7, tzinfo=UTC)
TUNED = {a.value for a in FINE_TUNING}


def _result(
    a: dict[str, Any], c: dict[str, Any], *, unsure: tuple[str, ...] = ()
) -> Recommendation:
    body: dict[str, Any] = {"answers": a, "context": c}
    if unsure:
        body["unsure"] = list(unsure)
    return recommend(RecommendationRequest.model_validate(body))


def _warning(rule_id: str) -> str:
    rule = next(r for r in load_rules().rules if r.id == rule_id)
    assert rule.warning is not None
    return rule.warning


def _texts(r: Recommendation) -> list[str]:
    """Everything a reader is told: the summary, warnings, reasons and page 1."""
    one = build_document(r, title="Property", created_at=CREATED).page_one
    return [
        r.summary,
        *r.warnings,
        *(f.reason for f in r.rules_fired),
        one.heading,
        one.lead,
        *(f"{row.label}: {row.value}" for row in one.facts),
        one.confidence.value,
        *(risk.text for risk in one.risks),
    ]


RULED_OUT = re.compile(r"ruled out|not an option", re.IGNORECASE)


def _advises_managed(text: str) -> bool:
    """A clause that names a managed service without saying it is ruled out advises it."""
    clauses = re.split(r"(?<=[.;:])\s+", text)
    return any("managed" in c.lower() and not RULED_OUT.search(c) for c in clauses)


# Class 1: facts handed to fine-tuning.


@MANY
@given(answer_strategy, context_strategy)
def test_a_knowledge_only_objective_never_has_fine_tuning_primary(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    r = _result({**a, "objective": "knowledge"}, c)
    assert r.approach.value not in TUNED, r.summary


def test_issue_example_knowledge_with_tone_at_100ms_is_retrieval() -> None:
    """Issue 23: knowledge, specialised, consistent tone, 5,000 examples, monthly, p99 100 ms,
    capability 4, $5,000 was LoRA with retrieval beside it."""
    answers = {
        "objective": "knowledge",
        "domain_vocabulary": "specialised",
        "output_consistency": "consistent_tone",
        "labelled_examples": 5000,
        "data_freshness": "monthly",
        "citations_required": False,
        "latency_p99_ms": 100,
        "ml_capability": 4,
        "budget_usd": 5000,
    }
    r = _result(answers, {})
    assert r.approach.value == "rag", r.summary
    fired = {f.id for f in r.rules_fired}
    # Retrieval stays in the plan, so its hop is a cost to fit, not a reason to dock it.
    assert "retrieval-hop-costs-latency" not in fired
    assert "retrieval-hop-must-fit-latency" in fired


def test_a_strict_format_does_not_hand_facts_to_fine_tuning() -> None:
    """Where the points put LoRA first, the facts-alone must makes retrieval the primary."""
    answers = {**BASE_ANSWERS, "objective": "knowledge", "output_consistency": "strict_format"}
    r = _result(answers, {})
    assert r.approach.value == "rag", r.summary
    assert "facts-keep-retrieval-primary" in {f.id for f in r.rules_fired}


@pytest.mark.parametrize("method", ["lora", "qlora", "full_fine_tuning"])
def test_a_proposal_to_teach_a_daily_catalogue_is_sent_back(method: str) -> None:
    """Issue 23: a LoRA proposal to teach a daily-changing catalogue got "approve with
    changes"; 004 names "treating fine-tuning as a substitute for retrieval"."""
    answers = {**BASE_ANSWERS, "objective": "knowledge", "data_freshness": "daily"}
    proposal = {"approach": method, "locked_test_set": "yes", "experiments": 20}
    body = {"answers": answers, "proposal": proposal}
    if method == "full_fine_tuning":
        proposal["lora_comparison_run"] = "yes"
    review = recommend(RecommendationRequest.model_validate(body)).proposal_review
    assert review is not None
    assert review.verdict == "send_back"
    assert review.verdict_reason.startswith("No, fine-tuning isn't the right tool here")
    flag = next(f for f in review.anti_patterns if f.id == "proposal-fine-tuning-for-facts")
    assert flag.title == "Fine-tuning as a substitute for retrieval"
    assert "facts that change daily" in flag.detail
    assert "why is retrieval not the right answer?" in flag.question
    assert "treating fine-tuning as a substitute for retrieval" in flag.source
    assert ".txt" not in flag.source


def test_a_proposal_to_fine_tune_behaviour_is_not_flagged_for_facts() -> None:
    proposal = {"approach": "lora", "locked_test_set": "yes", "experiments": 20}
    body = {"answers": {**BASE_ANSWERS, "data_freshness": "monthly"}, "proposal": proposal}
    review = recommend(RecommendationRequest.model_validate(body)).proposal_review
    assert review is not None
    assert "proposal-fine-tuning-for-facts" not in {f.id for f in review.anti_patterns}


# Class 2: advice the engine has ruled out.


@MANY
@given(answer_strategy, context_strategy, st.integers(1, 2), st.booleans())
def test_on_prem_no_text_advises_a_managed_service(
    a: dict[str, Any], c: dict[str, Any], capability: int, unsure: bool
) -> None:
    r = _result(
        {**a, "ml_capability": 2 if unsure else capability},
        {**c, "on_prem_required": True},
        unsure=("ml_capability",) if unsure else (),
    )
    managed = next((o for o in r.cost.options if o.line == "managed"), None)
    assert managed is None or not managed.eligible
    for text in _texts(r):
        assert "is the route" not in text, text
        assert not _advises_managed(text), text


def test_on_prem_low_capability_is_told_what_it_can_do_on_its_own_infrastructure() -> None:
    r = _result({**BASE_ANSWERS, "ml_capability": 1}, {"on_prem_required": True})
    assert r.approach.value not in TUNED
    said = " ".join(_texts(r))
    assert "retrieval or prompting on an open-weights model you host" in said
    assert "capability 3 or more" in said
    assert "a partner who trains the adapter on your infrastructure" in said


def test_hosted_low_capability_still_names_the_managed_route() -> None:
    r = _result({**BASE_ANSWERS, "ml_capability": 2}, {})
    assert "low-capability-no-self-run" in {f.id for f in r.rules_fired}
    assert any("managed fine-tuning service" in w for w in r.warnings)


# Class 3: the plateau caution wherever it applies.


@MANY
@given(answer_strategy, context_strategy)
def test_a_plateau_always_carries_the_diagnose_first_advice(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    r = _result(a, {**c, "quality_evidence": "lora_plateaued"})
    assert _warning("plateau-diagnose-before-full") in r.warnings
    assert not any("start with LoRA" in w for w in r.warnings), r.warnings


def test_a_plateaued_team_falling_back_to_lora_gets_the_diagnosis_not_start_with_lora() -> None:
    """Issue 23: a team at capability 3 cannot carry full fine-tuning and falls back to LoRA;
    it was told to "start with LoRA", repeating what already failed."""
    r = _result({**BASE_ANSWERS, "ml_capability": 3}, {"quality_evidence": "lora_plateaued"})
    assert r.approach.value == "lora"
    text = _warning("plateau-diagnose-before-full")
    assert text in r.warnings
    assert "Diagnose why LoRA plateaued" in text
    assert "the dataset is the issue" in text
    assert not any("start with LoRA" in w for w in r.warnings)


def test_a_plateau_on_400_examples_stays_with_lora_not_full_fine_tuning() -> None:
    """Issue 23: full fine-tuning of an 8B model on 400 examples was recommended for $34;
    001's overfitting row says LoRA."""
    answers = {
        **BASE_ANSWERS,
        "domain_vocabulary": "highly_specialised",
        "output_consistency": "strict_format",
        "labelled_examples": 400,
        "ml_capability": 5,
        "budget_usd": 300000,
    }
    r = _result(answers, {"base_model": "llama-3.1-8b", "quality_evidence": "lora_plateaued"})
    assert r.approach.value == "lora", r.summary
    full = next(s for s in r.ranking if s.approach.value == "full_fine_tuning")
    assert not full.eligible
    assert "plateau-few-examples-stays-lora" in {f.id for f in r.rules_fired}
    assert _warning("plateau-diagnose-before-full") in r.warnings
