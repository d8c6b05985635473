"""The recommendation's payback: against what, from which month, and what it saves.

A recommendation pays back against an option that could be chosen instead. The status quo is
that option when it meets every must of the answers (requirements.py); when it does not (a
frontier API that cannot know today's catalogue, a prompted model that cannot cite), the
baseline is the cheapest eligible option that does, by its cumulative cost at the chart's last
month, and the data and the sentence say so. The status quo stays on the chart as context.
When no other option meets the musts, there is nothing to pay back against: the sentence says
what the recommendation costs and why the status quo is no alternative.
"""

from __future__ import annotations

from typing import Literal

from app.cost_model.series import ApproachCost, at_month
from app.rules.base.requirements import why_not
from app.rules.decision.conditions import FRESHNESS_WORDS
from app.rules.decision.engine import Evaluation
from app.rules.economics.cost_block import LINE_APPROACH, CostBlock
from app.rules.economics.options import recommended_line
from app.rules.result import CostOption, Payback, UsdRange
from app.vocabulary import numbers

Reason = Literal["status_quo", "cheapest_meeting_requirements", "nothing_else_meets_requirements"]


def baseline(
    block: CostBlock, found: tuple[CostOption, ...], line: str
) -> tuple[CostOption, Reason]:
    """The option the recommendation (`line`) pays back against, and why it is that one."""
    by_line = {o.line: o for o in found}
    status_quo = by_line[block.status_quo]
    if status_quo.meets_requirements:
        return status_quo, "status_quo"
    last = {s.name: s.expected[-1] for s in block.series}
    meeting = [o for o in found if o.eligible and o.meets_requirements and o.line != line]
    if not meeting:
        return by_line[line], "nothing_else_meets_requirements"
    return min(meeting, key=lambda o: last[o.line]), "cheapest_meeting_requirements"


def _model_or_method(base_label: str, base: ApproachCost, tuned: ApproachCost) -> str:
    """How much of the saving comes from changing model rather than from fine-tuning."""
    base_m, tuned_m = base.monthly_usd.expected, tuned.monthly_usd.expected
    text = (
        f"Prompting the same model without fine-tuning ({base_label}) would cost "
        f"{numbers.usd(base_m)} a month against {numbers.usd(tuned_m)} fine-tuned: "
    )
    if base_m <= tuned_m:
        return (
            text + "the saving comes from changing model; fine-tuning is for the quality it adds."
        )
    return text + f"fine-tuning saves a further {numbers.usd(base_m - tuned_m)} a month."


def payback(ev: Evaluation, block: CostBlock, found: tuple[CostOption, ...]) -> Payback:
    """The recommendation against its baseline over the chart's months, in one sentence."""
    by_line = {o.line: o for o in found}
    series = {s.name: s for s in block.series}
    builds = {c.name: c for c in block.costs}
    line, months = recommended_line(ev, block), block.months
    chosen, reason = baseline(block, found, line)
    versus = chosen.line
    mine, theirs = series[line], series[versus]
    saving = theirs.expected[-1] - mine.expected[-1]
    # The saving's own interval: the two sides' swings subtracted factor by factor, then
    # combined (a factor that moves both sides alike, such as a shared GPU price, cancels).
    band = at_month(builds[versus], months) - at_month(builds[line], months)
    low, high = saving - (band.expected - band.low), saving + (band.high - band.expected)
    shown = UsdRange.of(band, expected=saving)
    crosses_zero = line != versus and shown.low < 0 < shown.high
    depends_on = shown.drivers[0] if crosses_zero and shown.drivers else None
    build = builds[line].build_usd.expected
    month = next(
        (
            m
            for m, (x, y) in enumerate(zip(mine.expected, theirs.expected, strict=True), 1)
            if x < y
        ),
        None,
    )
    label, other = by_line[line].label, chosen.label
    status_quo = by_line[block.status_quo]
    if line == versus:
        monthly = builds[line].monthly_usd.expected
        built = (
            "needs nothing built and costs"
            if build == 0
            else f"costs {numbers.usd(build)} to build and"
        )
        sentence = (
            f"{label} {built} about {numbers.usd(monthly)} a month, "
            f"{numbers.usd(mine.expected[-1])} over {months} months."
        )
    elif crosses_zero:
        sentence = (
            f"{label} costs {numbers.usd(build)} to build and over {months} months is about "
            f"break-even against {other} ({numbers.saving_range(low, high)})"
            + (f": it depends most on {depends_on.label}." if depends_on is not None else ".")
        )
    elif month is not None:
        sentence = (
            f"{label} costs {numbers.usd(build)} to build and pays back against {other} in "
            f"month {month}; over {months} months it saves {numbers.usd(saving)} "
            f"({numbers.saving_range(low, high)})."
        )
    else:
        sentence = (
            f"{label} costs {numbers.usd(build)} to build and does not pay back against "
            f"{other} within {months} months: over {months} months it costs "
            f"{numbers.usd(-saving)} more ({numbers.saving_range(low, high)})."
        )
    if reason != "status_quo":
        fresh = FRESHNESS_WORDS[ev.facts.answers.data_freshness]
        lead = (
            f"{other} is the cheapest other option that meets the requirements"
            if reason == "cheapest_meeting_requirements"
            else "No other option meets the requirements"
        )
        sentence += (
            f" {lead}; {status_quo.label}, the status quo, costs "
            f"{numbers.usd(builds[status_quo.line].monthly_usd.expected)} a month but does not: "
            f"{why_not(status_quo.fails_requirements, fresh)}."
        )
    base = by_line.get("base")
    tuned = line in LINE_APPROACH and LINE_APPROACH[line].fine_tunes
    if tuned and base is not None and base.eligible and versus != "base":
        sentence += " " + _model_or_method(base.label, builds["base"], builds[line])
    return Payback(
        line=line,
        versus=versus,
        versus_reason=reason,
        versus_meets_requirements=chosen.meets_requirements,
        status_quo=block.status_quo,
        status_quo_fails=status_quo.fails_requirements,
        build_usd=round(build, 2),
        month=month if line != versus else None,
        saving_usd=shown,
        crosses_zero=crosses_zero,
        depends_on=depends_on,
        months=months,
        sentence=sentence,
    )
