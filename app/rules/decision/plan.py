"""The plan: base model, GPU, adapters, experiments, timeline, evaluation, review questions."""

from __future__ import annotations

from dataclasses import dataclass

from app.cost_model.catalogue import ModelSpec
from app.rules.base.approaches import FINE_TUNING, Approach
from app.rules.base.facts import Facts, MethodFacts
from app.rules.base.pricing import test_set_size
from app.rules.base.settings import TimelineRow, plan_settings
from app.rules.decision.engine import Evaluation


@dataclass(frozen=True, slots=True)
class Plan:
    approach: Approach
    fine_tuning: Approach | None
    """The fine-tuning approach the plan trains: the primary, or its fine-tuning complement."""
    model: ModelSpec | None
    model_proposed: bool
    method: MethodFacts | None
    adapter_strategy: str | None
    timeline: TimelineRow | None
    test_set_examples: int
    evaluation: str
    review_questions: tuple[str, ...]


def planned_fine_tuning(ev: Evaluation) -> Approach | None:
    if ev.primary in FINE_TUNING:
        return ev.primary
    return next((c for c in ev.complements if c in FINE_TUNING), None)


def _timeline(facts: Facts, approach: Approach) -> TimelineRow:
    """The first row of 001's table whose tests hold (plan.toml keeps the numbers), with the
    weeks each tenant after the first adds."""
    examples, tenants = facts.answers.labelled_examples, facts.context.tenants
    row = plan_settings().project_timeline(approach.value, examples, tenants, facts.model.params_b)
    assert row is not None  # the table's last row has no tests
    return row


def _evaluation(facts: Facts, approach: Approach, test_set: int) -> str:
    if approach.fine_tunes:
        baseline = f"the un-fine-tuned {facts.model.name}"
        subject = f"the {approach.label} model"
    else:
        baseline = "the current system"
        subject = f"the {approach.label} setup"
    return (
        f"Before any training or prompt work, lock {test_set:,} held-out examples from the real "
        f"workload as the test set; never train or tune on them. Score {subject} and {baseline} "
        "on that set with the same quality criteria, report quality only from it, and fix the "
        "input types where quality got worse before release."
    )


def _review_questions(ev: Evaluation, tuning: Approach | None) -> tuple[str, ...]:
    """The review questions that fit this result: adapter questions only when something is
    trained, retrieval questions when retrieval is recommended or beside it, prompting
    questions when nothing is trained."""
    fits = {"all"}
    fits.add("fine_tuning" if tuning is not None else "prompting")
    if Approach.rag in (ev.primary, *ev.complements):
        fits.add("retrieval")
    return tuple(q.text for q in plan_settings().review_questions if q.applies in fits)


def make_plan(ev: Evaluation) -> Plan:
    facts = ev.facts
    tuning = planned_fine_tuning(ev)
    method = facts.for_approach(tuning) if tuning is not None else None
    on_prem = facts.context.on_prem_required
    model = facts.model if tuning is not None or on_prem else None
    strategy = None
    if tuning is not None:
        strategy = "per_tenant" if facts.per_tenant else "single"
    # The test set is carved out of the examples the programme trains on (a curated subset
    # when the budget pays for no more), as the cost model prices its evaluation.
    test_set = test_set_size(facts.answers.labelled_examples if method is None else method.examples)
    return Plan(
        approach=ev.primary,
        fine_tuning=tuning,
        model=model,
        model_proposed=facts.model_proposed,
        method=method,
        adapter_strategy=strategy,
        timeline=_timeline(facts, tuning) if tuning is not None else None,
        test_set_examples=test_set,
        evaluation=_evaluation(facts, tuning or ev.primary, test_set),
        review_questions=_review_questions(ev, tuning),
    )
