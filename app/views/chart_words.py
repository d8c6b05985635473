"""The chart's words: its crossover labels, the sentence under it and the note on what it
leaves out.

They live on the chart model (app/views/chart.py), so the results page, its no-JavaScript
SVG and the PDF report print the same sentences, and the browser formats none of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

from app.cost_model.catalogue import load_catalogue
from app.rules.result import CostOption, Costs
from app.vocabulary import words
from app.vocabulary.numbers import usd

REASON_CHARS = 90
"""A ruled-out reason longer than this is cut at a word: the footnote names why, the
alternatives table says it in full."""


def crossover_label(approach: str, versus: str, month: int) -> str:
    short = words.line
    return f"{short(approach, short=True)} beats {short(versus, short=True)} at month {month}"


def legend(cost: Costs) -> dict[str, str]:
    """Each line as the option it is ("Llama 3.1 8B + LoRA, hosted"), marked when ruled out;
    a result stored before options existed keeps the generic names."""
    named = {o.line: o.label + ("" if o.eligible else " (ruled out)") for o in cost.options}
    return {
        s.approach: named.get(s.approach) or words.line(s.approach, short=True) for s in cost.series
    }


def _primary(cost: Costs, options: Mapping[str, CostOption]) -> str | None:
    if cost.payback is not None:
        return cost.payback.line
    return next((o.line for o in options.values() if o.recommended), None)


def _alone(name: str, total: float, months: int, *, only_one_meets: bool) -> str:
    """The recommended line when nothing is compared with it: the status quo itself, or the
    only option that meets the requirements."""
    if only_one_meets:
        return (
            f"The recommended line, {name}, is the only option that meets your requirements: "
            f"{usd(total)} by month {months}."
        )
    said = f"nothing to build, {usd(total)} by month {months}"
    return f"The recommended line, {name}, is the status quo: {said}."


def reading(cost: Costs, options: Mapping[str, CostOption]) -> str:
    """The chart in one sentence: where the recommended line goes against its baseline (the
    status quo, or the cheapest option that meets the requirements where the status quo does
    not) and what that comes to by the last month. Empty for a result stored before options
    existed."""
    p = cost.payback
    primary = _primary(cost, options)
    versus = p.versus if p is not None else cost.status_quo
    series = {s.approach: s.cumulative_usd for s in cost.series}
    if primary is None or primary not in series or versus not in series:
        return ""
    name = options[primary].label if primary in options else words.line(primary)
    other = options[versus].label if versus in options else words.line(versus)
    mine, theirs, months = series[primary], series[versus], cost.months
    if primary == versus:
        alone = p is not None and p.nothing_else_meets
        return _alone(name, mine[-1], months, only_one_meets=alone)
    below = [m for m, (a, b) in enumerate(zip(mine, theirs, strict=True), 1) if a < b]
    gap = theirs[-1] - mine[-1]
    lead = f"The recommended line, {name},"
    if not below:
        return (
            f"{lead} stays above {other} for all {months} months; by month {months} it has "
            f"cost {usd(-gap)} more."
        )
    first = below[0]
    stays = below == list(range(first, months + 1))
    where = "is below" if first == 1 else "drops below"
    when = "from month 1" if first == 1 else f"in month {first}"
    if stays:
        return (
            f"{lead} {where} {other} {when} and stays below it; by month {months} it has "
            f"saved {usd(gap)}."
        )
    if gap > 0:
        return f"{lead} {where} {other} {when}; by month {months} it has saved {usd(gap)}."
    return (
        f"{lead} {where} {other} {when} but is above it again by month {months}, having cost "
        f"{usd(-gap)} more."
    )


def short_reason(why: str) -> str:
    """A ruled-out reason cut to its first clause ("Full fine-tuning needs documented evidence
    that LoRA falls short"), and to REASON_CHARS at a word boundary."""
    first = re.split(r"(?<=[a-z0-9)])\. ", why.strip(), maxsplit=1)[0]
    clause = re.split(r"[;:]| \(", first, maxsplit=1)[0].strip().rstrip(".")
    if len(clause) > REASON_CHARS:
        clause = clause[:REASON_CHARS].rsplit(" ", 1)[0].rstrip(",;") + "…"
    first_word = clause.split(" ", 1)[0]
    capitalised = len(first_word) > 1 and first_word[0].isupper() and first_word[1:].islower()
    if capitalised and first_word not in _model_names():
        clause = clause[0].lower() + clause[1:]  # "You want" -> "you want"; "LoRA is" stays
    return clause


@cache
def _model_names() -> frozenset[str]:
    """The first words of the catalogue's model names (Qwen, Llama, Gemma): names, which keep
    their capital in the middle of a sentence ("LoRA: a weaker fit, Qwen 2.5 32B does not
    fit...")."""
    return frozenset(m.name.split(" ", 1)[0] for m in load_catalogue().models.values())


def ruled_out_note(options: Sequence[CostOption]) -> str:
    """The options left off the chart by default, each with the short reason; options ruled
    out for the same reason share it."""
    grouped: dict[str, list[str]] = {}
    for o in options:
        grouped.setdefault(short_reason(o.why_not or "a rule rules it out"), []).append(o.label)
    if not grouped:
        return ""
    parts = [" · ".join(labels) + f" ({reason})" for reason, labels in grouped.items()]
    return "Ruled out, so not drawn by default: " + "; ".join(parts) + "."


def events_note(cost: Costs) -> str:
    """The provider end dates marked on the chart, in a sentence each: when, what ends and what
    the lines that depend on it must do then (the risks give the cost)."""
    names = {o.line: o.label for o in cost.options}
    said = []
    for e in cost.provider_events:
        name = names.get(e.line, words.line(e.line))
        said.append(f"Month {e.month} ({e.date}): {e.ends}; {name} must {e.then}.")
    return " ".join(dict.fromkeys(said))
