"""The executive summary: what a PM with ten minutes reads first, on the page above the fold
and as the PDF's first page.

The recommendation and its deciding reason, what it costs to build and to run, the months to
pay back against the status quo, the model, the GPUs, the timeline, the confidence in words and
the three risks that matter for this case. Everything else in the document supports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.result import Recommendation
from app.views.risks import Risk, risks
from app.views.rows import Row, line_labels
from app.vocabulary import numbers, words


@dataclass(frozen=True, slots=True)
class ExecutiveSummary:
    reason: str
    """The deciding reason, without the heading's "Recommended: X." repeated."""
    rows: tuple[Row, ...]
    risks: tuple[Risk, ...]


def deciding_reason(r: Recommendation) -> str:
    """The summary after its first sentence, which only repeats the heading."""
    head = f"Recommended: {r.approach.label}."  # as the summary writes it
    return r.summary.removeprefix(head).strip() or r.summary


def _build(r: Recommendation) -> Row:
    t, p = r.cost.training, r.cost.payback
    if t is not None:
        runs = numbers.plural(t.runs, "run")
        band = numbers.usd_range(t.total_usd_range.low, t.total_usd_range.high)
        value = f"{numbers.usd(t.total_usd)} ({band})"
        return Row("Build cost", value, f"{runs} on {words.gpus(t.gpu, t.gpu_count)}")
    if p is not None and p.build_usd > 0:
        return Row("Build cost", numbers.usd(p.build_usd), "setting up and tuning retrieval")
    return Row("Build cost", "Nothing to build")


def _running(r: Recommendation, line: str) -> Row:
    monthly, band = r.cost.monthly[line], r.cost.monthly_range[line]
    value = f"{numbers.usd(monthly)} a month"
    if not band.is_exact:  # a range equal to its figure is not printed
        value += f" ({numbers.usd_range(band.low, band.high)})"
    return Row("Running cost", value, r.cost.serving[line])


def _versus(r: Recommendation) -> Row | None:
    p = r.cost.payback
    if p is None:
        return None
    labels = line_labels(r)
    label = f"Over {p.months} months"
    s = p.saving_usd
    if p.line == p.versus:
        total = r.cost.series[[x.approach for x in r.cost.series].index(p.line)].cumulative_usd
        return Row(label, f"{numbers.usd(total[-1])} in all", "the status quo: nothing changes")
    band = numbers.saving_range(s.low, s.high)
    if p.crosses_zero:
        why = f"depends most on {p.depends_on.label}" if p.depends_on else "depends on the factors"
        return Row(label, f"About break-even against {labels[p.versus]} ({band})", why)
    if p.month is not None:
        value = f"Saves {numbers.usd(s.expected)} against {labels[p.versus]} ({band})"
        return Row(label, value, f"pays back in month {p.month}")
    value = f"Costs {numbers.usd(-s.expected)} more than {labels[p.versus]} ({band})"
    return Row(label, value, "does not pay back on cost alone")


def executive_summary(r: Recommendation) -> ExecutiveSummary:
    plan, labels = r.plan, line_labels(r)
    line = r.cost.payback.line if r.cost.payback is not None else None
    found = [Row("Recommendation", words.approach(r.approach.value), labels.get(line or "", ""))]
    found.append(_build(r))
    if line is not None:
        found.append(_running(r, line))
    if (versus := _versus(r)) is not None:
        found.append(versus)
    if plan.base_model:
        note = "proposed by Tunewise" if plan.base_model_proposed else "your choice"
        found.append(Row("Base model", words.model_name(plan.base_model), note))
    if plan.gpu and plan.gpu_count:
        found.append(Row("Training GPUs", words.gpus(plan.gpu, plan.gpu_count)))
    if plan.timeline_weeks:
        low, high = plan.timeline_weeks
        found.append(Row("Timeline", f"{low} to {high} weeks", plan.timeline_basis or ""))
    level = words.CONFIDENCE[r.confidence.level]
    found.append(Row("Confidence", level, r.confidence.explanation))
    return ExecutiveSummary(deciding_reason(r), tuple(found), risks(r)[:3])
