"""Page 1: the decision, as a PM with ten minutes reads it before a budget meeting.

What to do and what it changes, in the reader's terms; what it costs to build and to run; what
it saves or costs against what the team does today; the answer time against the target; the
plan's model and GPUs; the whole project's timeline; the confidence in words; with a proposal,
its verdict and the saving against its ask; the three risks that matter. Each item is one
function of the `Recommendation`, so a new figure (a combined cost line, a latency flag, a
range's drivers) changes one function. Every model and GPU named here is the plan's.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.base.catalogue import load_rules
from app.rules.result import Recommendation, UsdRange
from app.rules.result.tenants import TenantWork
from app.views.answer_time import what_would_meet
from app.views.lead import heading, lead, options_of
from app.views.risks import Risk, risks
from app.views.rows import Row, band
from app.views.timeline import project_timeline
from app.vocabulary import numbers, words

RISKS_ON_PAGE_ONE = 3


@dataclass(frozen=True, slots=True)
class ProposalVerdict:
    """The team's proposal in two sentences: its verdict, and the saving against its ask."""

    verdict: str
    kind: str
    """approve_as_proposed, approve_with_changes or send_back: a CSS class, never printed."""
    proposed: str
    sentence: str


@dataclass(frozen=True, slots=True)
class PageOne:
    heading: str
    lead: str
    """What to do and what it changes, in one sentence."""
    facts: tuple[Row, ...]
    confidence: Row
    confidence_level: str
    """low, medium or high: a CSS class, never printed."""
    proposal: ProposalVerdict | None
    risks: tuple[Risk, ...]


def money(expected: float, low: float, high: float, unit: str = "") -> str:
    """'$195 a month ($79 to $1,217)'; the figure alone when its range reads the same."""
    found = band(low, expected, high)
    return f"{numbers.usd(expected)}{unit}" + (f" ({found})" if found else "")


def money_range(expected: float, r: UsdRange, unit: str = "") -> str:
    """`money` for a result's range: a range that is its figure (`is_exact`) is not printed."""
    if r.is_exact:
        return f"{numbers.usd(expected)}{unit}"
    return money(expected, r.low, r.high, unit)


def _the(label: str) -> str:
    """A driver's label inside a sentence: 'the retrieved context added to each prompt'."""
    return label if label.startswith(("the ", "The ", "a ", "an ")) else f"the {label}"


def tenants_said(work: TenantWork) -> str:
    """'then 11 more tenants, each with its own test set, evaluation and 3 bounded runs
    ($92.17 a tenant)': the work each tenant after the first adds."""
    return (
        f"then {numbers.count(work.further)} more {'tenant' if work.further == 1 else 'tenants'}"
        f", each with its own test set, evaluation and "
        f"{numbers.plural(work.runs_each, 'bounded run')} "
        f"({numbers.usd(work.per_tenant_usd)} a tenant)"
    )


def _programme(experiments: int, work: TenantWork | None) -> str:
    """'20 experiments' or '20 experiments on the first tenant's data, then 11 more tenants,
    each with its own test set, evaluation and 3 bounded runs ($92.17 a tenant)'."""
    said = numbers.plural(experiments, "experiment")
    if work is None:
        return said
    first = f"{numbers.count(work.tenants)} tenants: {said} on the first one's data"
    return f"{first}, {tenants_said(work)}"


def _parts(r: Recommendation) -> str | None:
    """'LoRA: 12 tenants: 30 experiments on the first one's data, then 11 more tenants, each
    with its own test set, evaluation and 3 bounded runs ($4.10 a tenant), $71.79; RAG
    (retrieval): 20 experiments, $5.54' for a combined line; None for a single approach's
    line."""
    p = r.cost.payback
    option = options_of(r).get(p.line) if p is not None else None
    if option is None or not option.parts:
        return None
    said = []
    work = r.cost.training.tenants if r.cost.training is not None else None
    for part in option.parts:
        runs = _programme(part.experiments, work if part.tenant_runs else None)
        said.append(f"{words.approach(part.approach.value)}: {runs}, {numbers.usd(part.build_usd)}")
    return "; ".join(said)


def curated(r: Recommendation) -> str | None:
    """The trade-off a budget made by curating (002: "Quantity matters less than quality"):
    'the budget pays for training on 999 of your 5,000 examples; all 5,000 would cost $120.50'.
    None when the programme trains on every example."""
    t = r.cost.training
    if t is None or not t.curated or t.full_data_total_usd is None:
        return None
    every = numbers.count(r.answers.labelled_examples)
    return (
        f"the budget pays for training on {numbers.count(t.examples)} of your {every} "
        f"examples; all {every} would cost {numbers.usd(t.full_data_total_usd)}"
    )


def build(r: Recommendation) -> Row:
    row = _build(r)
    said = curated(r)
    if said is not None:
        row = Row(row.label, row.value, f"{row.note}; {said}" if row.note else said)
    t = r.cost.training
    guide = t.tenants.guide if t is not None and t.tenants is not None else None
    if guide is not None:  # where this plan's figure and the guide's part, it says so
        said = guide.cost_sentence
        row = Row(row.label, row.value, f"{row.note}. {said}" if row.note else said)
    return row


def _build(r: Recommendation) -> Row:
    t, p = r.cost.training, r.cost.payback
    parts = _parts(r)
    if p is not None and parts is not None:
        return Row("Build cost", numbers.usd(p.build_usd), parts)
    if t is not None:
        value = money_range(t.total_usd, t.total_usd_range)
        on = words.gpus(t.gpu, t.gpu_count)
        if t.tenants is None:
            return Row("Build cost", value, f"{numbers.plural(t.runs, 'run')} on {on}")
        return Row("Build cost", value, f"{_programme(t.experiments, t.tenants)}; on {on}")
    if p is not None and p.build_usd > 0:
        return Row("Build cost", numbers.usd(p.build_usd), "setting up and tuning retrieval")
    return Row("Build cost", "Nothing to build")


def running(r: Recommendation) -> Row | None:
    if r.cost.payback is None:
        return None
    line = r.cost.payback.line
    spread = r.cost.monthly_range[line]
    value = money_range(r.cost.monthly[line], spread, " a month")
    return Row("Running cost", value, r.cost.serving[line])


def versus(r: Recommendation) -> Row | None:
    """Against the baseline over the chart's months; a saving whose interval crosses zero
    (`Payback.crosses_zero`) is about break-even with the factor it depends on most, never said
    in one direction."""
    p = r.cost.payback
    if p is None:
        return None
    label, s = f"Over {p.months} months", p.saving_usd
    if p.line == p.versus:
        total = next(x for x in r.cost.series if x.approach == p.line).cumulative_usd[-1]
        note = "the status quo: nothing changes"
        if p.nothing_else_meets:
            note = "no other option meets your requirements, so nothing is compared"
        return Row(label, f"{numbers.usd(total)} in all", note)
    them = options_of(r)[p.versus].label if p.versus in options_of(r) else words.line(p.versus)
    if p.against_cheapest_meeting:
        them += ", the cheapest option that meets your requirements"
    if p.crosses_zero:
        value = f"About break-even against {them}"
        if p.depends_on is not None:
            value += f"; it depends most on {_the(p.depends_on.label)}"
        note = f"from {numbers.usd(-s.low)} more to {numbers.usd(s.high)} saved"
        return Row(label, value, note)
    shown = "" if s.is_exact else f" ({numbers.saving_range(s.low, s.high)})"
    if s.expected >= 0:
        when = f"pays back in month {p.month}" if p.month is not None else ""
        return Row(label, f"Saves {numbers.usd(s.expected)} against {them}{shown}", when)
    value = f"Costs {numbers.usd(-s.expected)} more than {them}{shown}"
    return Row(label, value, "does not pay back on cost alone")


def answer_time(r: Recommendation) -> Row | None:
    """The recommended line's p99 against the target, or why it is not estimated."""
    p = r.cost.payback
    plan = r.cost.serving_plans.get(p.line) if p is not None else None
    if plan is None:
        return None
    target = numbers.ms(r.answers.latency_p99_ms)
    label = "Answer time (p99)"
    if plan.estimated_p99_ms is None:
        return Row(label, "Not estimated", f"a provider hosts it; your target is {target}")
    p99 = plan.estimated_p99_ms.expected
    meets = plan.meets_target if plan.meets_target is not None else p99 <= r.answers.latency_p99_ms
    first = plan.estimated_first_token_p99_ms
    note = f"first words after about {numbers.ms(first.expected)}" if first is not None else ""
    if not meets:
        note = what_would_meet(plan) or note
    verdict = "meets it" if meets else "misses it"
    return Row(label, f"About {numbers.ms(p99)} against your {target} target: {verdict}", note)


def base_model(r: Recommendation) -> Row | None:
    if not r.plan.base_model:
        return None
    note = "proposed by Tunewise" if r.plan.base_model_proposed else "your choice"
    return Row("Base model", words.model_name(r.plan.base_model), note)


def training_gpus(r: Recommendation) -> Row | None:
    if not (r.plan.gpu and r.plan.gpu_count):
        return None
    return Row("Training GPUs", words.gpus(r.plan.gpu, r.plan.gpu_count))


def timeline(r: Recommendation) -> Row | None:
    found = project_timeline(r)
    return None if found is None else Row("Timeline", found.value, found.note)


def confidence(r: Recommendation) -> Row:
    """The level and what it means, in words: never the points."""
    c, rules = r.confidence, load_rules()
    second = words.approach_in_sentence(c.runner_up.value) if c.runner_up else ""
    if c.margin is None or not second:
        text = "It is the only approach your answers allow."
    elif c.margin < 0 or (c.level == "high" and c.margin < rules.high_margin and not r.unsure):
        text = "Your answers require it, whatever the other approaches offer."
    elif c.margin == 0:
        text = f"It fits as well as {second}; the simpler, cheaper approach comes first."
    elif c.margin < rules.medium_margin:
        text = f"{second[0].upper() + second[1:]} fits nearly as well: try both on the test set."
    elif c.margin < rules.high_margin:
        text = f"{second[0].upper() + second[1:]} is a close second."
    else:
        text = f"No other approach comes close; the next is {second}."
    if c.misses_latency_target:
        text += " Not high: its answers miss your p99 target (see the answer time)."
    if c.lowered_by:
        asked = ", ".join(f"\u201c{words.question_label(q)}\u201d" for q in c.lowered_by)
        text += (
            f" Lowered because you were not sure of {asked}, and a likely answer would change it."
        )
    return Row("Confidence", words.CONFIDENCE[c.level], text)


def proposal(r: Recommendation) -> ProposalVerdict | None:
    review = r.proposal_review
    if review is None:
        return None
    mine = review.recommended.programme_usd.expected
    theirs = review.proposed.programme_usd.expected
    ask = review.budget_requested_usd
    if ask is None:
        saving = (
            f"The proposal states no budget; as written it costs about {numbers.usd(theirs)} "
            f"to build, against {numbers.usd(mine)} for the recommendation."
        )
    else:
        gap = f"{numbers.usd(abs(ask - mine))} {'less' if mine <= ask else 'more'}"
        saving = (
            f"The team asked for {numbers.usd(ask)}; the recommendation costs about "
            f"{numbers.usd(mine)} to build, {gap} than the ask (the proposal as written costs "
            f"about {numbers.usd(theirs)} by this cost model)."
        )
    return ProposalVerdict(
        verdict=review.verdict_label,
        kind=review.verdict,
        proposed=words.approach_in_sentence(review.proposed.approach.value),
        sentence=f"{review.verdict_reason} {saving}",
    )


FACTS = (build, running, versus, answer_time, base_model, training_gpus, timeline)
"""Page 1's figures, in order: each one function of the recommendation."""


def page_one(r: Recommendation) -> PageOne:
    return PageOne(
        heading=heading(r),
        lead=lead(r),
        facts=tuple(row for fact in FACTS if (row := fact(r)) is not None),
        confidence=confidence(r),
        confidence_level=r.confidence.level,
        proposal=proposal(r),
        risks=risks(r)[:RISKS_ON_PAGE_ONE],
    )
