"""The rows both the results page and the PDF print: plan, training, serving, answers.

Built once from the typed result with the vocabulary's words and formats, so the page and the
report say the same thing the same way (a model by its name, a GPU by its name, $97.40 on both).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.questions import Context
from app.rules.result import Recommendation, ServingPlan, TrainingSummary
from app.views.timeline import project_timeline
from app.vocabulary import numbers, words


@dataclass(frozen=True, slots=True)
class Row:
    """A labelled value: a line of a key/value table."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class TrainingRow:
    method: str
    planned: bool
    gpus: str
    memory: str
    gpu_hours: str
    per_experiment: str
    per_experiment_range: str
    runs: str
    total: str
    total_range: str


@dataclass(frozen=True, slots=True)
class CostLineRow:
    name: str
    """The line's id, for the page's bindings; never printed."""
    label: str
    """The option named by what it is ("Llama 3.1 8B + LoRA, hosted")."""
    status: str
    """"recommended", "status quo", "ruled out" (why is said once, in the alternatives), or
    empty."""
    how: str
    build: str
    serving: str
    reserve: str
    monthly: str
    range: str
    latency: str
    """The estimated p99 time to a whole answer, with its range; "not estimated" when a provider
    hosts the model."""


def band(low: float, expected: float, high: float) -> str:
    """'$79 to $1,217'; empty when the range reads the same as its figure."""
    if numbers.usd(low) == numbers.usd(high) == numbers.usd(expected):
        return ""
    return numbers.usd_range(low, high)


def answer_time(plan: ServingPlan) -> str:
    """'4.7 s (2.9 s to 11 s); first words after 49 ms': the line's estimated p99 time to the
    whole answer and to its first token, or why there is none."""
    p99 = plan.estimated_p99_ms
    if p99 is None:
        return "not estimated (the provider's speed is not recorded)"
    text = f"{numbers.ms(p99.expected)} ({numbers.ms_range(p99.low, p99.high)})"
    first = plan.estimated_first_token_p99_ms
    return text if first is None else f"{text}; first words after {numbers.ms(first.expected)}"


def plan_rows(r: Recommendation) -> tuple[Row, ...]:
    plan = r.plan
    rows: list[Row] = []
    if plan.base_model:
        note = "proposed by Tunewise" if plan.base_model_proposed else "your choice"
        size = f"{numbers.count(plan.base_model_params_b or 0)}B parameters"
        active = plan.base_model_active_params_b
        if active is not None and active < (plan.base_model_params_b or 0):
            size += f", {numbers.count(active)}B active per token"
        rows.append(Row("Base model", f"{words.model_name(plan.base_model)} ({size})", note))
    if plan.gpu and plan.gpu_count:
        rows.append(Row("Training GPUs", words.gpus(plan.gpu, plan.gpu_count)))
    if plan.fine_tuning_approach:
        rows.append(Row("Method", words.approach(plan.fine_tuning_approach.value)))
    if plan.adapter_strategy:
        rows.append(Row("Adapters", words.ADAPTERS[plan.adapter_strategy]))
    if (t := r.cost.training) is not None:
        rows.append(training_data_row(t, r.answers.labelled_examples))
    if plan.experiments:
        each = numbers.usd(plan.per_experiment_usd)
        rows.append(Row("Experiments", f"{plan.experiments} bounded runs, about {each} each"))
    if (timeline := project_timeline(r)) is not None:
        rows.append(Row("Timeline", timeline.value, timeline.note))
    rows.append(Row("Locked test set", numbers.plural(plan.test_set_examples, "held-out example")))
    return tuple(rows)


def training_data_row(t: TrainingSummary, labelled_examples: int) -> Row:
    """What the programme trains on: every example, or the curated subset the budget pays for."""
    if not t.curated:
        return Row("Training data", f"All {numbers.plural(labelled_examples, 'labelled example')}")
    return Row(
        "Training data",
        f"A curated {numbers.count(t.examples)} of your {numbers.count(labelled_examples)} "
        "examples, the best first",
        "the budget pays for no more",
    )


def _memory(t: TrainingSummary) -> str:
    """Peak memory per GPU: starred when the run is sharded (it does not fit one GPU), and
    said when not even the GPUs shown hold it."""
    text = numbers.gigabytes(t.peak_memory_gb)
    if t.fits_single_gpu is False or t.gpu_count > 1:
        text += " *"
    return text if t.fits_gpu else f"{text}, does not fit"


def training_rows(r: Recommendation) -> tuple[TrainingRow, ...]:
    planned = r.cost.training.method if r.cost.training else None
    return tuple(
        TrainingRow(
            method=words.approach(approach),
            planned=t.method == planned,
            gpus=words.gpus(t.gpu, t.gpu_count),
            memory=_memory(t),
            gpu_hours=numbers.hours(t.gpu_hours_per_experiment),
            per_experiment=numbers.usd(t.per_experiment_usd),
            per_experiment_range=numbers.usd_range(
                t.per_experiment_usd_range.low, t.per_experiment_usd_range.high
            ),
            runs=numbers.count(t.runs)
            + (
                ""
                if t.includes_lora_comparison_usd is None
                else f" after a LoRA comparison of {numbers.usd(t.includes_lora_comparison_usd)}"
            ),
            total=numbers.usd(t.total_usd),
            total_range=band(t.total_usd_range.low, t.total_usd, t.total_usd_range.high),
        )
        for approach, t in r.cost.training_by_method.items()
    )


def line_labels(r: Recommendation) -> dict[str, str]:
    """Each cost line's name as an option ("GPT-5.2 API"); a result stored before options
    existed falls back to the line's generic name."""
    named = {o.line: o.label for o in r.cost.options}
    return {name: named.get(name) or words.line(name) for name in r.cost.monthly}


def _status(r: Recommendation, name: str) -> str:
    option = next((o for o in r.cost.options if o.line == name), None)
    if option is None:
        return ""
    if option.recommended:
        return "recommended"
    if not option.eligible:
        return "ruled out"  # why, once, in the alternatives
    return "status quo" if option.status_quo else ""


def cost_line_rows(r: Recommendation) -> tuple[CostLineRow, ...]:
    c = r.cost
    labels = line_labels(r)
    return tuple(
        CostLineRow(
            name=name,
            label=labels[name],
            status=_status(r, name),
            how=c.serving[name],
            build=numbers.usd(c.build_usd[name]),
            serving=numbers.usd(c.monthly_serving[name]),
            reserve=numbers.usd(c.monthly_retraining_reserve[name]),
            monthly=numbers.usd(value),
            range=band(c.monthly_range[name].low, value, c.monthly_range[name].high),
            latency=answer_time(c.serving_plans[name]),
        )
        for name, value in c.monthly.items()
    )


def price_source_rows(r: Recommendation) -> tuple[Row, ...]:
    """Where the monthly prices come from, each source once, with the options priced by it."""
    labels: dict[str, list[str]] = {}
    for o in r.cost.options:
        labels.setdefault(o.price_source, []).append(o.label)
    return tuple(Row("; ".join(names), source) for source, names in labels.items())


def payback_sentence(r: Recommendation) -> str:
    return r.cost.payback.sentence if r.cost.payback is not None else ""


def answer_rows(r: Recommendation) -> tuple[Row, ...]:
    """The nine answers in words; an "I'm not sure" answer says what was assumed."""
    unsure = set(r.unsure)
    return tuple(
        Row(
            words.question_label(qid),
            words.answer(qid, getattr(r.answers, qid)),
            "I'm not sure: assumed" if qid in unsure else "",
        )
        for qid in type(r.answers).model_fields
    )


DEFAULT_NOTE = "default"
GIVEN_NOTE = "given"


def context_rows(r: Recommendation) -> tuple[Row, ...]:
    """Every deployment answer in words, marked as given or as the default.

    The model size is asked only for a model outside the catalogue, so it is left out when
    unset rather than shown as a blank a reader would wonder about.
    """
    defaults = set(r.context_defaults)
    return tuple(
        Row(
            words.question_label(name),
            words.context_value(name, getattr(r.context, name)),
            DEFAULT_NOTE if name in defaults else GIVEN_NOTE,
        )
        for name in Context.model_fields
        if not (name == "model_size_b" and r.context.model_size_b is None)
    )


def assumption_rows(r: Recommendation) -> tuple[Row, ...]:
    """Each "I'm not sure" answer: the question, the default assumed, and why."""
    return tuple(
        Row(words.question_label(a.question), words.answer(a.question, a.value), a.note)
        for a in r.assumptions
    )
