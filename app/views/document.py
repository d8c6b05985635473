"""The decision document: one frozen, typed value built once from a `Recommendation`, read by
the results page, the PDF report and the API's summary fields.

Everything a person reads about a recommendation is here, in words: page 1 (app/views/
page_one.py), the proposal review, the reasons, the alternatives one line each, the plan, the
costs, the chart, the risks and the appendix. The templates only lay it out, with the same
partials on the page and in the PDF (templates/partials/), so the two cannot say different
things; tests read page 1 from this value, not from HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.assessments.store import StoredAssessment
from app.rules.result import Recommendation
from app.views import energy, managed, rows
from app.views.chart import Chart, build_chart
from app.views.energy import EnergyRow
from app.views.managed import NoticeRow, OfferRow
from app.views.page_one import PageOne, page_one
from app.views.proposal import ProposalView, proposal_view
from app.views.reasons import Reason, alternatives, scoring_points, scoring_rules, why
from app.views.recalculation import recalculation_rows
from app.views.recipe import RecipeView, recipe_view
from app.views.risks import Risk, risks
from app.views.rows import CostLineRow, Row, TrainingRow
from app.vocabulary import words

SECTIONS = {
    "proposal-review": "Proposal review",
    "recommendation": "Why this recommendation",
    "alternatives": "The alternatives",
    "changes": "What would change it",
    "plan": "The plan",
    "costs": "Costs",
    "chart": "Cost over time",
    "recipe": "Training recipe",
    "risks": "Further risks and questions for the architecture review",
    "appendix": "Appendix: answers, context and how the score was reached",
}
"""Each section's id and heading, the same on the page and in the PDF."""


@dataclass(frozen=True, slots=True)
class Meta:
    title: str
    running_title: str
    assessment_id: str
    created: str
    created_iso: str
    input_hash: str
    rules_version: str
    cost_model_version: str
    prices_as_of: str


@dataclass(frozen=True, slots=True)
class Document:
    meta: Meta
    page_one: PageOne
    proposal: ProposalView | None
    recalculation: tuple[Row, ...]
    """What a recalculated view moved (label, this view's value, the saved one as the note)."""
    why: tuple[Reason, ...]
    complements: str
    warnings: tuple[str, ...]
    alternatives: tuple[str, ...]
    counterfactuals: tuple[str, ...]
    plan: tuple[Row, ...]
    evaluation: str
    training: tuple[TrainingRow, ...]
    cost_lines: tuple[CostLineRow, ...]
    price_sources: tuple[Row, ...]
    chart: Chart
    line_labels: dict[str, str]
    further_risks: tuple[Risk, ...]
    """The risks page 1 has no room for."""
    review_questions: tuple[str, ...]
    answers: tuple[Row, ...]
    context: tuple[Row, ...]
    assumptions: tuple[Row, ...]
    managed_offers: tuple[OfferRow, ...]
    managed_notices: tuple[NoticeRow, ...]
    energy: tuple[EnergyRow, ...]
    energy_assumptions: tuple[str, ...]
    scoring_rules: tuple[Row, ...]
    scoring_points: tuple[Row, ...]
    sections: dict[str, str]
    recipe: RecipeView | None = None
    """The plan's training recipe (recipe.py): None when nothing is trained."""

    def summary(self) -> dict[str, Any]:
        """The API's summary fields: page 1's words, for an integrator's own page."""
        one = self.page_one
        return {
            "heading": one.heading,
            "lead": one.lead,
            "facts": [{"label": f.label, "value": f.value, "note": f.note} for f in one.facts],
            "confidence": {"level": one.confidence_level, "says": one.confidence.note},
            "proposal": None
            if one.proposal is None
            else {"verdict": one.proposal.verdict, "says": one.proposal.sentence},
            "risks": [{"text": x.text, "source": x.source} for x in one.risks],
        }


def _running_title(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "\u2026"


def _complements(r: Recommendation) -> str:
    head = words.approach_in_sentence(r.approach.value)
    if not r.complements:
        return ""
    alongside = " and ".join(words.approach_in_sentence(c.value) for c in r.complements)
    return f"Put {alongside} alongside {head}."


def build_document(
    r: Recommendation,
    *,
    title: str,
    created_at: datetime,
    assessment_id: str = "",
    recalculated_from: dict[str, Any] | None = None,
) -> Document:
    every_risk = risks(r)
    one = page_one(r)
    return Document(
        meta=Meta(
            title=title,
            running_title=_running_title(title),
            assessment_id=assessment_id,
            created=created_at.strftime("%d %B %Y, %H:%M UTC").lstrip("0"),
            created_iso=created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            input_hash=r.input_hash,
            rules_version=r.rules_version,
            cost_model_version=r.cost_model_version,
            prices_as_of=r.prices_as_of,
        ),
        page_one=one,
        proposal=proposal_view(r),
        recalculation=(
            recalculation_rows(recalculated_from, r) if recalculated_from is not None else ()
        ),
        why=why(r),
        complements=_complements(r),
        warnings=r.warnings,
        alternatives=alternatives(r),
        counterfactuals=tuple(c.sentence for c in r.counterfactuals),
        plan=rows.plan_rows(r),
        evaluation=r.plan.evaluation,
        training=rows.training_rows(r),
        cost_lines=rows.cost_line_rows(r),
        price_sources=rows.price_source_rows(r),
        chart=build_chart(r.cost),
        line_labels=rows.line_labels(r),
        further_risks=every_risk[len(one.risks) :],
        review_questions=r.plan.architecture_review_questions,
        answers=rows.answer_rows(r),
        context=rows.context_rows(r),
        assumptions=rows.assumption_rows(r),
        managed_offers=managed.offer_rows(r),
        managed_notices=managed.notice_rows(r),
        energy=energy.energy_rows(r),
        energy_assumptions=energy.energy_assumptions(r),
        scoring_rules=scoring_rules(r),
        scoring_points=scoring_points(r),
        sections=SECTIONS,
        recipe=recipe_view(r, assessment_id, recalculated=recalculated_from is not None),
    )


def document_of(a: StoredAssessment) -> Document:
    """The document of a saved assessment (or of a recalculated view of it)."""
    return build_document(
        a.result,
        title=a.title,
        created_at=a.created_at,
        assessment_id=a.id,
        recalculated_from=a.recalculated_from,
    )
