"""Issue 22's done-when, on the document model: what page 1 tells a reader adds up, for any
valid input (hypothesis), not only for the scenarios a person looked at.

- the recommendation's build cost is the sum of its parts, and page 1 quotes that figure;
- a plan that misses its p99 target says so on page 1, and its confidence is not "high";
- page 1 never tells the reader to do what the engine ruled out;
- a saving whose interval crosses zero is about break-even on page 1, never one direction;
- a range equal to its figure is not printed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings

from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.document import build_document
from app.vocabulary import numbers, words
from tests.strategies import answers, context

CREATED = datetime(2026, 12, 7, tzinfo=UTC)
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _result(a: dict[str, Any], c: dict[str, Any]) -> Recommendation:
    return recommend(RecommendationRequest.model_validate({"answers": a, "context": c}))


def _fact(rows: Any, label: str) -> Any:
    return next((row for row in rows if row.label == label or row.label.startswith(label)), None)


@MANY
@given(answers, context)
def test_page_one_adds_up(a: dict[str, Any], c: dict[str, Any]) -> None:
    r = _result(a, c)
    doc = build_document(r, title="Property", created_at=CREATED)
    one = doc.page_one
    p = r.cost.payback
    build = _fact(one.facts, "Build cost")
    assert build is not None
    if p is not None:
        option = next(o for o in r.cost.options if o.line == p.line)
        if option.parts:
            assert round(sum(part.build_usd for part in option.parts), 2) == round(p.build_usd, 2)
        if p.build_usd > 0:
            assert numbers.usd(p.build_usd) in build.value, (build.value, p.build_usd)
        versus = _fact(one.facts, "Over ")
        s = p.saving_usd
        if versus is not None and p.line != p.versus and s.low < 0 < s.high:
            assert versus.value.startswith("About break-even"), versus.value
        spread = r.cost.monthly_range[p.line]
        running = _fact(one.facts, "Running cost")
        if running is not None and round(spread.low) == round(spread.high):
            assert "(" not in running.value, running.value
    plan = r.cost.serving_plans.get(p.line) if p is not None else None
    if plan is not None and plan.meets_target is False:
        answer = _fact(one.facts, "Answer time")
        assert answer is not None
        assert "misses it" in answer.value
        assert r.confidence.level != "high"
    ruled_out = {s.approach for s in r.ranking if not s.eligible}
    assert r.approach not in ruled_out
    for approach in ruled_out:
        assert f"with {words.approach_in_sentence(approach.value)} " not in one.lead
