"""The thresholds are said once, the counterfactuals are exact, and derived values agree.

A modified copy of the rule catalogue moves the decision, the counterfactual and the reason
together; every numeric counterfactual holds at its boundary and not one step short of it,
checked with the full evaluate(); the plan's test set is the one the cost model charges.
"""

from __future__ import annotations

import math
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cost_model.constants import load_constants
from app.cost_model.methods import Method
from app.cost_model.serving import seconds_per_month
from app.questions import Answers, Context, RecommendationRequest
from app.questions.models import answer_bounds
from app.rules.base.approaches import Approach
from app.rules.base.catalogue import RuleCatalogue, load_rules, parse_rules, rules_text
from app.rules.base.facts import build_facts
from app.rules.base.pricing import test_set_size as locked_test_set
from app.rules.base.thresholds import Thresholds
from app.rules.decision.conditions import CONDITIONS, READS
from app.rules.decision.counterfactuals import Counterfactual, find_counterfactuals
from app.rules.decision.engine import evaluate
from app.rules.decision.plan import make_plan
from tests.conftest import BASE_ANSWERS
from tests.strategies import answers as answer_strategy
from tests.strategies import context as context_strategy

CHECKS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _primary(
    answers: Answers, context: Context, catalogue: RuleCatalogue | None = None
) -> Approach:
    return evaluate(build_facts(answers, context, catalogue)).primary


def _request(a: dict[str, Any], c: dict[str, Any]) -> RecommendationRequest:
    return RecommendationRequest.model_validate({"answers": a, "context": c})


def _with_min_examples(value: int) -> RuleCatalogue:
    text = rules_text()
    block = re.compile(r"(\[thresholds\.min_examples\]\nvalue = )200\n")
    assert block.search(text), "the catalogue's min_examples entry moved"
    return parse_rules(block.sub(rf"\g<1>{value}\n", text))


def test_a_modified_catalogue_moves_decision_counterfactual_and_reason_together() -> None:
    shipped, modified = load_rules(), _with_min_examples(300)
    assert shipped.thresholds.min_examples == 200
    assert modified.thresholds.min_examples == 300
    request = _request({**BASE_ANSWERS, "labelled_examples": 250}, {})
    assert _primary(request.answers, request.context, shipped).fine_tunes

    ev = evaluate(build_facts(request.answers, request.context, modified))
    assert ev.primary is Approach.dont_fine_tune
    too_few = next(f for f in ev.fired if f.rule.id == "too-few-examples")
    assert "at least 300 high-quality examples" in too_few.reason()
    upward = [
        cf
        for cf in find_counterfactuals(ev)
        if cf.change[0][0] == "labelled_examples" and cf.change[0][1] > 250
    ]
    assert upward, "a larger dataset must change the result"
    assert upward[0].change == (("labelled_examples", 300),)
    assert upward[0].band is not None
    assert upward[0].band[0] == 300
    assert upward[0].sentence.startswith("With at least 300 labelled examples")


def test_every_threshold_has_a_unit_and_a_source_and_fills_the_texts() -> None:
    catalogue = load_rules()
    names = {e.name for e in catalogue.threshold_table}
    assert names == set(Thresholds.__dataclass_fields__)
    for entry in catalogue.threshold_table:
        assert entry.unit, entry.name
        assert entry.source, entry.name
        assert ".txt" not in entry.source, entry.name  # cited as a document, not a file
    placeholders = set(names)
    for rule in catalogue.rules:
        for text in (rule.reason, rule.warning or ""):
            assert not set(re.findall(r"\{(\w+)\}", text)) & placeholders, rule.id
    assert "1,000 to 100,000 range" in catalogue.by_id("examples-sweet-spot").reason


def _step_short(name: str, cf: Counterfactual) -> float | None:
    """The value one step on the near side of the counterfactual's boundary, if allowed."""
    assert cf.band is not None
    low, high = cf.band
    lowest, highest = answer_bounds(name)
    value: float = cf.change[0][1]
    up = value == low
    step = 0.01 if name == "budget_usd" else 1
    near = value - step if up else value + step
    if name == "budget_usd":
        near = round(near, 2)
    if not lowest <= near <= highest or (not up and high is None):
        return None
    return near


@CHECKS
@given(answer_strategy, context_strategy, st.randoms(use_true_random=False))
def test_counterfactuals_hold_at_their_boundary_and_not_one_step_short(
    a: dict[str, Any], c: dict[str, Any], rnd: Any
) -> None:
    request = _request(a, c)
    answers, context = request.answers, request.context
    ev = evaluate(build_facts(answers, context))
    for cf in find_counterfactuals(ev):
        changed = answers.model_copy(update=dict(cf.change))
        # Pinned to the engine: the full evaluate() agrees with the search.
        assert _primary(changed, context) is cf.approach, cf
        assert cf.sentence.endswith(f"the recommendation would be {cf.approach.label}.")
        if cf.band is None:
            continue
        name = cf.change[0][0]
        near = _step_short(name, cf)
        if near is not None:
            short = answers.model_copy(update={name: near})
            assert _primary(short, context) is not cf.approach, (cf, near)
        low, high = cf.band
        top = answer_bounds(name)[1] if high is None else high
        inside: float = rnd.uniform(low, top)
        inside = round(inside, 2) if name == "budget_usd" else int(inside)
        inside = min(max(inside, low), top)
        if name == "budget_usd" and inside < low:
            inside = low
        probe = answers.model_copy(update={name: inside})
        assert _primary(probe, context) is cf.approach, (cf, inside)
        if high is None:
            assert _primary(answers.model_copy(update={name: type(low)(top)}), context) is (
                cf.approach
            )


@CHECKS
@given(answer_strategy, context_strategy, st.data())
def test_a_condition_reads_only_the_answers_it_declares(
    a: dict[str, Any], c: dict[str, Any], data: st.DataObject
) -> None:
    """The counterfactual search re-fires only the rules that read a changed answer."""
    request = _request(a, c)
    facts = build_facts(request.answers, request.context)
    other = data.draw(answer_strategy)
    for name in Answers.model_fields:
        changed_answers = request.answers.model_copy(
            update={name: getattr(_request(other, c).answers, name)}
        )
        changed = build_facts(changed_answers, request.context)
        for rule_id, condition in CONDITIONS.items():
            if name in READS[rule_id]:
                continue
            before, after = condition(facts), condition(changed)
            assert before == after, (rule_id, name)
            if before is not None and after is not None:
                assert before.texts == after.texts, (rule_id, name)


@CHECKS
@given(answer_strategy, context_strategy)
def test_the_priced_facts_equal_the_full_estimates(a: dict[str, Any], c: dict[str, Any]) -> None:
    request = _request(a, c)
    facts = build_facts(request.answers, request.context)
    plan = make_plan(evaluate(facts))
    lora = facts.method(Method.lora)
    for m in facts.methods:
        # Full fine-tuning's programme is the LoRA comparison (LoRA's own programme on the same
        # examples, 001) followed by its own runs; every other method's is its own runs. Full
        # fine-tuning is never curated, so its comparison is LoRA's plan when LoRA trains on
        # every example too, and LoRA on every example when the budget curates LoRA's.
        first = m.comparison if m.method is Method.full else None
        assert (first is None) is (m.method is not Method.full)
        if first is not None:
            assert first.method is Method.lora
            assert first.examples == m.examples == request.answers.labelled_examples
            if not facts.curated(Method.lora):
                assert first == lora
        before = 0.0 if first is None else first.programme_usd
        before_cheapest = 0.0 if first is None else first.cheapest_programme_usd
        own = m.estimate.total_expected_usd
        assert m.programme_usd == (own if first is None else before + own)
        assert m.programme_range.expected == m.programme_usd
        assert m.per_run_usd == m.estimate.per_experiment_expected_usd
        assert m.fits_gpu == m.estimate.fits_gpu
        own_cheapest = m.cheapest.total_expected_usd
        expected_cheapest = own_cheapest if first is None else before_cheapest + own_cheapest
        assert m.cheapest_programme_usd == expected_cheapest
        # Each run's evaluation is charged for the test set carved out of the examples it
        # trains on; the plan locks the planned method's.
        assert m.estimate.request.eval_examples == locked_test_set(m.examples)
        assert m.estimate.shape.eval_examples == locked_test_set(m.examples)
        if plan.method is m:
            assert plan.test_set_examples == locked_test_set(m.examples)


def test_thin_data_is_costed_on_its_smaller_test_set() -> None:
    request = _request({**BASE_ANSWERS, "labelled_examples": 600}, {})
    facts = build_facts(request.answers, request.context)
    plan = make_plan(evaluate(facts))
    assert plan.test_set_examples == 120
    lora = facts.methods[0].estimate
    part = next(c for c in lora.run.components if c.name == "evaluation")
    assert "x 120 test examples" in part.assumption


def test_the_serving_month_is_the_constants_month() -> None:
    assert seconds_per_month() == load_constants().get("hours_per_month") * 3600
    assert math.isclose(seconds_per_month(), 730 * 3600)


def test_a_budget_boundary_on_a_whole_cent_stays_on_that_cent() -> None:
    """LoRA on 200 examples costs $4.4006: it fits from $4.40 at cents. 4.4 * 100 is
    440.00000000000006 in binary, which once put the boundary a cent up, at $4.41."""
    answers = {
        **BASE_ANSWERS,
        # Behaviour: facts alone keep retrieval primary whatever the budget (issue 23).
        "objective": "behaviour",
        "domain_vocabulary": "general",
        "output_consistency": "strict_format",
        "labelled_examples": 200,
        "latency_p99_ms": 10,
        "ml_capability": 3,
        "budget_usd": 0.0,
    }
    request = _request(answers, {"base_model": "llama-3.2-3b"})
    ev = evaluate(build_facts(request.answers, request.context))
    budget = [cf for cf in find_counterfactuals(ev) if cf.change[0][0] == "budget_usd"]
    assert budget
    low = budget[0].band[0] if budget[0].band else None
    assert low is not None
    assert _primary(request.answers.model_copy(update={"budget_usd": low}), request.context) is (
        budget[0].approach
    )
    short = round(low - 0.01, 2)
    assert _primary(
        request.answers.model_copy(update={"budget_usd": short}), request.context
    ) is not (budget[0].approach)
