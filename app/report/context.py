"""The report's template context: everything the templates print, computed here.

The template only lays it out (the pure-core habit of the rest of the app), so tests can assert
on this data without reading HTML, and the words a reader sees are built in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.assessments.store import StoredAssessment
from app.report import format as fmt
from app.report.chart import ChartModel, build_chart
from app.report.chart import label as short_label

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

APPROACH_LABELS = {
    "lora": "LoRA",
    "qlora": "QLoRA",
    "full_fine_tuning": "Full fine-tuning",
    "rag": "RAG (retrieval)",
    "dont_fine_tune": "Don't fine-tune (prompt a strong base model)",
}

ADAPTERS = {
    "single": "one adapter",
    "per_tenant": "one adapter per tenant on a shared base model, not merged",
}


def approach_label(approach: str) -> str:
    return APPROACH_LABELS.get(approach, approach.replace("_", " "))


@dataclass(frozen=True, slots=True)
class Row:
    """A labelled value: a line of a key/value table."""

    label: str
    value: str
    note: str = ""


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
    result: dict[str, Any]
    """The stored recommendation, for the lists the template prints as they are."""
    approach: str
    complements: tuple[str, ...]
    plan: tuple[Row, ...]
    training: tuple[dict[str, str], ...]
    serving: tuple[dict[str, str], ...]
    cost_assumptions: tuple[Row, ...]
    chart: ChartModel
    risks: tuple[str, ...]
    answers: tuple[Row, ...]
    context: tuple[Row, ...]
    defaults: tuple[Row, ...]
    assumptions: tuple[Row, ...]


def _running_title(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "\u2026"


def _plan_rows(plan: dict[str, Any]) -> tuple[Row, ...]:
    rows: list[Row] = []
    if plan.get("base_model"):
        note = "proposed by Tunewise" if plan.get("base_model_proposed") else "your choice"
        rows.append(Row("Base model", fmt.model_name(plan["base_model"]), note))
    if plan.get("gpu"):
        count = plan.get("gpu_count") or 1
        rows.append(Row("GPU", f"{count} \u00d7 {fmt.gpu_name(plan['gpu'])}"))
    if plan.get("fine_tuning_approach"):
        rows.append(Row("Method", approach_label(plan["fine_tuning_approach"])))
    if plan.get("adapter_strategy"):
        strategy = plan["adapter_strategy"]
        rows.append(Row("Adapters", ADAPTERS.get(strategy, strategy)))
    if plan.get("experiments"):
        each = fmt.usd(plan.get("per_experiment_usd"))
        rows.append(Row("Experiments", f"{plan['experiments']} bounded runs, about {each} each"))
    if plan.get("timeline_weeks"):
        low, high = plan["timeline_weeks"]
        rows.append(Row("Timeline", f"{low} to {high} weeks", plan.get("timeline_basis") or ""))
    if plan.get("test_set_examples"):
        rows.append(Row("Locked test set", f"{plan['test_set_examples']} held-out examples", ""))
    return tuple(rows)


def _training_rows(cost: dict[str, Any]) -> tuple[dict[str, str], ...]:
    planned = (cost.get("training") or {}).get("method")
    rows = []
    for approach, t in cost.get("training_by_method", {}).items():
        rows.append(
            {
                "method": approach_label(approach),
                "planned": "yes" if t["method"] == planned else "",
                "gpus": f"{t['gpu_count']} \u00d7 {fmt.gpu_name(t['gpu'])}",
                "memory": f"{t['peak_memory_gb']:,.1f} GB" + ("" if t["fits_gpu"] else " *"),
                "gpu_hours": f"{t['gpu_hours_per_experiment']:,.1f}",
                "per_experiment": fmt.usd(t["per_experiment_usd"]),
                "per_experiment_range": fmt.usd_range(t["per_experiment_usd_range"]),
                "runs": str(t["runs"]),
                "total": fmt.usd(t["total_usd"]),
                "total_range": fmt.usd_range(t["total_usd_range"]),
            }
        )
    return tuple(rows)


def _serving_rows(cost: dict[str, Any]) -> tuple[dict[str, str], ...]:
    return tuple(
        {
            "approach": short_label(name),
            "how": cost.get("serving", {}).get(name, ""),
            "build": fmt.usd(cost["build_usd"].get(name)),
            "serving": fmt.usd(cost.get("monthly_serving", {}).get(name)),
            "reserve": fmt.usd(cost.get("monthly_retraining_reserve", {}).get(name)),
            "monthly": fmt.usd(value),
            "range": fmt.usd_range(cost["monthly_range"].get(name)),
        }
        for name, value in cost["monthly"].items()
    )


def _cost_assumptions(a: StoredAssessment) -> tuple[Row, ...]:
    c = a.result.get("context", a.context)
    names = (
        "monthly_requests",
        "input_tokens_per_request",
        "output_tokens_per_request",
        "tokens_per_example",
        "reference_api_model",
        "horizon_months",
    )
    rows = [Row(fmt.question_label(n), fmt.context_text(n, c.get(n))) for n in names]
    rows.append(Row("Prices as of", a.prices_as_of, "API prices from the genai-prices dataset"))
    return tuple(rows)


def _risks(a: StoredAssessment) -> tuple[str, ...]:
    r = a.result
    risks: list[str] = []
    confidence = r.get("confidence") or {}
    if confidence.get("level") in ("low", "medium"):
        risks.append(f"Confidence is {confidence['level']}: {confidence.get('explanation', '')}")
    for item in r.get("assumptions", []):
        label = fmt.question_label(item["question"])
        risks.append(f"Assumed answer to \u201c{label}\u201d: {item['note']}")
    training = r["cost"].get("training")
    budget = r.get("answers", a.answers).get("budget_usd")
    if training and budget is not None and training["total_usd_range"]["high"] > budget:
        risks.append(
            f"At the high end of its range the experiment programme costs "
            f"{fmt.usd(training['total_usd_range']['high'])}, above the "
            f"{fmt.usd(budget)} budget: review the spend after the first experiments."
        )
    if training and training["gpu_count"] > 1:
        risks.append(
            f"Training needs {training['gpu_count']} GPUs with sharded memory "
            f"({training['peak_memory_gb']:,.1f} GB at peak): plan for multi-GPU tooling."
        )
    approach = r["approach"]
    beats_api = any(
        c["approach"] == approach and c["versus"] == "api" for c in r["cost"]["crossovers"]
    )
    if approach in ("lora", "qlora", "full_fine_tuning") and not beats_api:
        risks.append(
            f"Over {r['cost']['months']} months {approach_label(approach)} does not become "
            "cheaper than the reference API at the assumed traffic: the case rests on quality, "
            "latency or data control, not cost."
        )
    return tuple(risks)


def build_context(a: StoredAssessment) -> ReportContext:
    r = a.result
    answers = r.get("answers", a.answers)
    context = r.get("context", a.context)
    defaults = set(r.get("context_defaults", []))
    unsure = set(r.get("unsure", a.unsure))
    return ReportContext(
        title=a.title,
        running_title=_running_title(a.title),
        created=fmt.when(a.created_at),
        created_iso=a.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        input_hash=a.input_hash,
        rules_version=a.rules_version,
        cost_model_version=a.cost_model_version,
        prices_as_of=a.prices_as_of,
        sections=SECTIONS,
        result=r,
        approach=approach_label(r["approach"]),
        complements=tuple(approach_label(c) for c in r.get("complements", [])),
        plan=_plan_rows(r.get("plan") or {}),
        training=_training_rows(r["cost"]),
        serving=_serving_rows(r["cost"]),
        cost_assumptions=_cost_assumptions(a),
        chart=build_chart(r["cost"]),
        risks=_risks(a),
        answers=tuple(
            Row(
                fmt.question_label(q),
                fmt.answer_text(q, v),
                "I'm not sure: assumed" if q in unsure else "",
            )
            for q, v in answers.items()
        ),
        context=tuple(
            Row(
                fmt.question_label(n),
                fmt.context_text(n, v),
                "default" if n in defaults else "given",
            )
            for n, v in context.items()
        ),
        defaults=tuple(
            Row(fmt.question_label(n), fmt.context_text(n, v))
            for n, v in context.items()
            if n in defaults
        ),
        assumptions=tuple(
            Row(
                fmt.question_label(item["question"]),
                fmt.answer_text(item["question"], item["value"]),
                item["note"],
            )
            for item in r.get("assumptions", [])
        ),
    )
