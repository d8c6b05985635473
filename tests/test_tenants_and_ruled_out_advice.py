"""Decision fidelity, round three (issue 23, class 5 and class 2 generalised).

5. Many tenants are costed as many: each tenant after the first has its own locked test set,
   three bounded runs on its own examples and its own evaluation, in the programme the budget
   rule compares, in the weeks, and on page 1; where the plan's figure and the guide's row for
   ten or more tenants part, the reader is told.
2. No summary, warning, reason, lead or page-1 sentence advises an option the costs rule out,
   whatever rules it out (the budget, the data, a must, no provider open), hosted or on-prem:
   the options' own `ruled_out` is what the advice reads.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cost_model.methods import Method
from app.questions import RecommendationRequest
from app.rules.base.catalogue import load_rules
from app.rules.base.facts import build_facts
from app.rules.base.settings import plan_settings
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.document import build_document
from app.vocabulary import numbers
from tests.conftest import BASE_ANSWERS
from tests.strategies import answers as answer_strategy
from tests.strategies import context as context_strategy

CREATED = datetime(2026, 12, 8, tzinfo=UTC)
MANY = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LEGAL_ANSWERS = {
    "objective": "behaviour",
    "domain_vocabulary": "highly_specialised",
    "output_consistency": "strict_format",
    "labelled_examples": 24000,
    "data_freshness": "quarterly",
    "citations_required": False,
    "latency_p99_ms": 5000,
    "ml_capability": 5,
    "budget_usd": 5000,
}
"""The shared spec's scenario "legal-twelve-practice-areas" (001's worked example: 12 practice
areas, Llama 3.1 70B with QLoRA on one H100, an adapter per area)."""
LEGAL_CONTEXT = {"base_model": "llama-3.1-70b", "gpu": "h100-80gb", "tenants": 12}


def _result(a: dict[str, Any], c: dict[str, Any]) -> Recommendation:
    return recommend(RecommendationRequest.model_validate({"answers": a, "context": c}))


def _page_one_texts(r: Recommendation) -> list[str]:
    one = build_document(r, title="Property", created_at=CREATED).page_one
    return [
        one.heading,
        one.lead,
        *(f"{row.label}: {row.value}. {row.note}" for row in one.facts),
        one.confidence.value,
        *(risk.text for risk in one.risks),
    ]


def _texts(r: Recommendation) -> list[str]:
    """Everything a reader is told: the summary, warnings, reasons, rankings and page 1."""
    return [
        r.summary,
        *r.warnings,
        *(f.reason for f in r.rules_fired),
        *(s.why for s in r.ranking),
        *_page_one_texts(r),
    ]


# Class 5: many tenants costed as many.


def test_the_legal_twelve_tenants_are_costed_per_tenant() -> None:
    """Issue 23: the legal case's 12 tenants cost $28.95 in all with one run each. Each of the
    11 after the first now has its own test set, three bounded runs and an evaluation."""
    r = _result(LEGAL_ANSWERS, LEGAL_CONTEXT)
    t = r.cost.training
    assert t is not None
    assert t.tenants is not None
    work = t.tenants
    assert (work.tenants, work.further, work.runs_each, work.evaluations_each) == (12, 11, 3, 1)
    assert work.test_set_examples_each == r.plan.test_set_examples
    assert t.tenant_runs == r.plan.tenant_runs == 11 * 3
    assert t.runs == t.experiments + 11 * 3
    # The programme holds the search, then every further tenant's runs and evaluation.
    search = t.experiments * t.per_experiment_usd
    floor = search + 11 * (3 * t.per_experiment_usd + work.per_evaluation_usd)
    assert work.per_evaluation_usd > 0
    # Each per-run figure is rounded to the cent: half a cent of slack for each one summed.
    assert t.total_usd >= floor - 0.005 * (t.experiments + 11 * 4) - 0.01
    assert work.per_tenant_usd >= 3 * t.per_experiment_usd + work.per_evaluation_usd - 0.02
    # The guide's row for 10+ tenants is $1,000 to $5,000: this plan is within it now.
    assert work.guide is not None
    assert work.guide.usd == (1000, 5000)
    assert work.guide.usd_within
    # The weeks grow with the tenants: 11 further tenants at 3.3 to 4.4 working days each.
    assert work.weeks == (8, 10)
    assert r.plan.timeline_weeks is not None
    assert r.plan.timeline_weeks[0] >= 8 + work.weeks[0]
    assert not work.guide.weeks_within
    # Page 1 names the per-tenant work in words, and where the guide's weeks part from it.
    one = build_document(r, title="Legal", created_at=CREATED).page_one
    rows = {row.label: row for row in one.facts}
    build = rows["Build cost"].note
    assert "12 tenants: 20 experiments on the first one's data" in build
    each = "then 11 more tenants, each with its own test set, evaluation and 3 bounded runs"
    assert f"{each} ({numbers.usd(work.per_tenant_usd)} a tenant)" in build
    assert "$1,000 to $5,000" in build
    timeline = rows["Timeline"].note
    assert "for the 11 tenants after the first, each with its own test set" in timeline
    assert "The guide gives 8 to 12 weeks for 10 or more tenants" in timeline
    assert "one after another" in timeline
    assert ".txt" not in build + timeline


def test_sixty_tenants_are_no_longer_costed_as_one_run_each() -> None:
    """Issue 23: 60 tenants cost $87 in all. Their 59 further tenants alone now cost at least
    their 177 runs and 59 evaluations, and the guide's range is said where the plan is below."""
    answers = {**BASE_ANSWERS, "ml_capability": 4, "budget_usd": 100000}
    r = _result(answers, {"tenants": 60, "base_model": "llama-3.1-8b"})
    t = r.cost.training
    assert t is not None
    assert t.tenants is not None
    work = t.tenants
    assert t.tenant_runs == 59 * 3
    rounding = 59 * 4 * 0.005  # the figures below are each rounded to the cent
    assert work.total_usd >= 59 * (3 * t.per_experiment_usd + work.per_evaluation_usd) - rounding
    assert work.guide is not None
    said = work.guide.cost_sentence
    if not work.guide.usd_within:
        assert "the plan keeps its own figure" in said
    weeks = plan_settings().tenants.weeks(60)
    assert weeks == (39, 52)
    assert r.plan.timeline_weeks is not None
    assert r.plan.timeline_weeks[0] >= 39


def test_one_tenant_has_no_tenant_work() -> None:
    r = _result({**BASE_ANSWERS, "ml_capability": 4}, {})
    assert r.cost.training is not None
    assert r.cost.training.tenants is None
    assert r.cost.training.tenant_runs == 0


def test_removing_the_per_tenant_evaluation_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The evaluation each further tenant gets is in the programme: priced as a run that trains
    nothing (loading the model, scoring the test set), and gone when the data drops it."""
    facts = build_facts(*_request(LEGAL_ANSWERS, LEGAL_CONTEXT))
    m = facts.method(Method.qlora)
    est = m.estimate
    runs_only = est.per_experiment_expected_usd * est.runs
    evaluation = est.per_evaluation_usd.expected
    assert plan_settings().tenants.evaluations_each >= 1
    assert est.request.tenant_evaluations == 11
    assert evaluation > 0
    assert m.programme_usd == pytest.approx(runs_only + 11 * evaluation, rel=1e-9)


def _request(a: dict[str, Any], c: dict[str, Any]) -> tuple[Any, Any]:
    req = RecommendationRequest.model_validate({"answers": a, "context": c})
    return req.answers, req.context


def _lora_programme(a: dict[str, Any], c: dict[str, Any]) -> tuple[float, Any]:
    facts = build_facts(*_request(a, c))
    m = facts.method(Method.lora)
    return m.programme_usd, m


@SOME
@given(
    answer_strategy,
    st.integers(1, 30),
    st.integers(1, 5000),
    st.sampled_from(["llama-3.1-8b", "qwen3-4b", "llama-3.1-70b"]),
)
def test_build_cost_is_strictly_increasing_in_tenants(
    a: dict[str, Any], tenants: int, each: int, model: str
) -> None:
    """Each tenant brings its own examples (`each`), the other answers fixed, and the budget
    pays for all of them: one more tenant always costs more, by at least its own runs and
    evaluation."""
    a = {**a, "budget_usd": 1e8}
    context = {"base_model": model, "gpu": "h100-80gb"}
    fewer, _ = _lora_programme(
        {**a, "labelled_examples": each * tenants}, {**context, "tenants": tenants}
    )
    more, m = _lora_programme(
        {**a, "labelled_examples": each * (tenants + 1)}, {**context, "tenants": tenants + 1}
    )
    est = m.estimate
    own = 3 * est.per_experiment_expected_usd + est.per_evaluation_usd.expected
    assert more > fewer
    assert more - fewer >= own * (1 - 1e-9)


@SOME
@given(answer_strategy, context_strategy)
def test_each_further_tenant_costs_at_least_its_runs(a: dict[str, Any], c: dict[str, Any]) -> None:
    r = _result(a, c)
    for t in r.cost.training_by_method.values():
        work = t.tenants
        if work is None:
            assert t.tenant_runs == 0
            continue
        assert work.further == r.context.tenants - 1
        assert t.tenant_runs == work.further * work.runs_each
        assert work.per_tenant_usd >= work.runs_each * t.per_experiment_usd - 0.01
        assert work.per_tenant_usd >= work.per_evaluation_usd > 0 or t.per_experiment_usd == 0


# Class 2: no advice to an option the costs rule out.

RULED_OUT = re.compile(r"ruled out|not an option", re.IGNORECASE)


def _advises_managed(text: str) -> bool:
    """A clause that names a managed service without saying it is ruled out advises it."""
    clauses = re.split(r"(?<=[.;:])\s+", text)
    return any("managed" in c.lower() and not RULED_OUT.search(c) for c in clauses)


def _managed(r: Recommendation) -> Any:
    return next((o for o in r.cost.options if o.line == "managed"), None)


@pytest.mark.long
@MANY
@given(answer_strategy, context_strategy, st.integers(1, 2))
def test_no_text_advises_a_ruled_out_managed_service(
    a: dict[str, Any], c: dict[str, Any], capability: int
) -> None:
    """Thousands of random valid answers at capability 1 or 2, hosted or on-prem: where the
    options rule the managed service out, for whatever reason, nothing a reader is told
    advises it."""
    r = _result({**a, "ml_capability": capability}, c)
    managed = _managed(r)
    if managed is not None and not managed.ruled_out:
        return
    for text in _texts(r):
        assert "is the route" not in text, text
        assert not _advises_managed(text), text


@pytest.mark.long
@MANY
@given(answer_strategy, context_strategy)
def test_no_rule_advises_an_option_the_options_rule_out(
    a: dict[str, Any], c: dict[str, Any]
) -> None:
    """Every fired rule that advises a priced option (`advises` in the catalogue) gives its
    advice only when that option is open, and its ruled-out words otherwise."""
    r = _result(a, c)
    options = {o.line: o for o in r.cost.options}
    rules = load_rules()
    for fired in r.rules_fired:
        rule = rules.by_id(fired.id)
        if rule.advises is None:
            continue
        option = options.get(rule.advises)
        ruled_out = option is None or option.ruled_out
        advice = rule.reason.split("{", 1)[0]
        turned = (rule.reason_if_ruled_out or "").split("{capability}", 1)[1].split("{", 1)[0]
        if ruled_out:
            assert turned in fired.reason, fired.reason
            assert "is the route" not in fired.reason
        else:
            assert fired.reason.startswith(advice)


HOSTED_RULED_OUT = [
    pytest.param({"data_freshness": "daily"}, "change daily", id="facts-change-daily"),
    pytest.param({"budget_usd": 5}, "costs more than the budget of $5", id="budget"),
    pytest.param({"citations_required": True}, "cannot cite its sources", id="citations"),
    pytest.param({"labelled_examples": 50}, "not enough data", id="too-few-examples"),
]


@pytest.mark.parametrize(("change", "why"), HOSTED_RULED_OUT)
def test_a_hosted_low_capability_team_is_not_sent_to_a_ruled_out_managed_service(
    change: dict[str, Any], why: str
) -> None:
    """Hosted, capability 2: the managed option is ruled out by the data, the budget, a must
    or the examples; the summary, the warnings and page 1 say so and say what the team can
    build now, never that a managed service is the route."""
    r = _result({**BASE_ANSWERS, "ml_capability": 2, **change}, {})
    managed = _managed(r)
    assert managed is not None
    assert managed.ruled_out
    for text in _texts(r):
        assert "is the route" not in text, text
        assert "would need a managed fine-tuning service" not in text, text
        assert not _advises_managed(text), text
    warning = next(w for w in r.warnings if w.startswith("A managed fine-tuning service"))
    assert "is ruled out here too" in warning
    assert why in warning
    assert "What the team can build now, with no training run of its own: " in warning
    assert "retrieval on GPT-5.2" in warning
    assert "capability 3 or more" in warning
    reason = next(f.reason for f in r.rules_fired if f.id == "low-capability-no-self-run")
    assert "is ruled out here too" in reason
    assert why in reason
    # A service ruled out is not a lock-in risk in play either.
    assert not any("serves the fine-tuned model only while" in t for t in _page_one_texts(r))


def test_a_hosted_low_capability_team_with_the_managed_service_open_is_still_sent_there() -> None:
    r = _result({**BASE_ANSWERS, "ml_capability": 2}, {})
    managed = _managed(r)
    assert managed is not None
    assert not managed.ruled_out
    assert any("managed fine-tuning service rather than running" in w for w in r.warnings)
    assert "is the route" in r.summary
