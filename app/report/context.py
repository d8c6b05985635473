"""The report's template context: everything the templates print, computed here.

The template only lays it out (the pure-core habit of the rest of the app), so tests can assert
on this data without reading HTML. The rows it shares with the results page come from
app/views/rows.py, and every word and number from app/vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.assessments.store import StoredAssessment
from app.rules.result import Recommendation
from app.views import energy, managed, rows
from app.views.chart import Chart, build_chart
from app.views.energy import EnergyRow
from app.views.managed import NoticeRow, OfferRow
from app.views.proposal import ProposalView, proposal_view
from app.views.recalculation import recalculation_rows
from app.views.risks import Risk, risks
from app.views.rows import CostLineRow, Row, TrainingRow
from app.views.summary import ExecutiveSummary, executive_summary
from app.vocabulary import words

SECTIONS = (
    ("recommendation", "The recommendation"),
    ("complements", "Complements and warnings"),
    ("alternatives", "The alternatives and why they lost"),
    ("changes", "What would change the recommendation"),
    ("plan", "The plan"),
    ("costs", "Costs"),
    ("chart", "Cost over time"),
    ("risks", "Risks and questions for the architecture review"),
    ("appendix", "Appendix: answers, context and assumptions"),
)

PROPOSAL_SECTION = ("proposal-review", "Proposal review")
"""First, right after the executive summary, when the assessment reviews a team's proposal."""


@dataclass(frozen=True, slots=True)
class ReportContext:
    title: str
    running_title: str
    created: str
    created_iso: str
    input_hash: str
    rules_version: str
    cost_model_version: str
    prices_as_of: str
    sections: tuple[tuple[str, str], ...]
    result: Recommendation
    """The stored recommendation, for the lists the template prints as they are."""
    approach: str
    complements: tuple[str, ...]
    plan: tuple[Row, ...]
    training: tuple[TrainingRow, ...]
    serving: tuple[CostLineRow, ...]
    payback: str
    price_sources: tuple[Row, ...]
    """The recommendation against the status quo: build cost, payback month, saving."""
    cost_assumptions: tuple[Row, ...]
    chart: Chart
    risks: tuple[Risk, ...]
    brief: ExecutiveSummary
    answers: tuple[Row, ...]
    context: tuple[Row, ...]
    defaults: tuple[Row, ...]
    assumptions: tuple[Row, ...]
    recalculation: tuple[Row, ...]
    """What a recalculated view moved (label, this view's value, the saved one as the note);
    empty for the saved assessment's own report."""
    managed_offers: tuple[OfferRow, ...] = ()
    managed_notices: tuple[NoticeRow, ...] = ()
    energy: tuple[EnergyRow, ...] = ()
    energy_assumptions: tuple[str, ...] = ()
    proposal: ProposalView | None = None
    """The team's proposal reviewed, when the assessment has one (right after the summary)."""


def _running_title(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "\u2026"


def _cost_assumptions(r: Recommendation) -> tuple[Row, ...]:
    names = (
        "monthly_requests",
        "input_tokens_per_request",
        "output_tokens_per_request",
        "tokens_per_example",
        "reference_api_model",
        "horizon_months",
    )
    found = [
        Row(words.question_label(n), words.context_value(n, getattr(r.context, n))) for n in names
    ]
    found.append(Row("Prices as of", r.prices_as_of, "API prices from the genai-prices dataset"))
    return tuple(found)


def _when(created_at: datetime) -> str:
    return created_at.strftime("%d %B %Y, %H:%M UTC").lstrip("0")


def build_context(a: StoredAssessment) -> ReportContext:
    r = a.result
    context_rows = rows.context_rows(r)
    return ReportContext(
        title=a.title,
        running_title=_running_title(a.title),
        created=_when(a.created_at),
        created_iso=a.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        input_hash=a.input_hash,
        rules_version=a.rules_version,
        cost_model_version=a.cost_model_version,
        prices_as_of=a.prices_as_of,
        sections=((PROPOSAL_SECTION, *SECTIONS) if r.proposal_review else SECTIONS),
        result=r,
        approach=words.approach(r.approach.value),
        complements=tuple(words.approach_in_sentence(c.value) for c in r.complements),
        plan=rows.plan_rows(r),
        training=rows.training_rows(r),
        serving=rows.cost_line_rows(r),
        payback=rows.payback_sentence(r),
        price_sources=rows.price_source_rows(r),
        cost_assumptions=_cost_assumptions(r),
        chart=build_chart(r.cost),
        risks=risks(r),
        brief=executive_summary(r),
        answers=rows.answer_rows(r),
        context=context_rows,
        defaults=tuple(
            Row(row.label, row.value) for row in context_rows if row.note == rows.DEFAULT_NOTE
        ),
        assumptions=rows.assumption_rows(r),
        recalculation=(
            recalculation_rows(a.recalculated_from, r) if a.recalculated_from is not None else ()
        ),
        managed_offers=managed.offer_rows(r),
        managed_notices=managed.notice_rows(r),
        energy=energy.energy_rows(r),
        energy_assumptions=energy.energy_assumptions(r),
        proposal=proposal_view(r),
    )
