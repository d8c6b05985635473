"""Advice that reads the options: no reason or warning advises an option the costs rule out.

A rule's reason may name an option the costs price (the low-capability rule: "a managed
fine-tuning service ... is the route"). The engine decides before anything is costed, so it
cannot know that the costs then rule that option out: the budget does not cover its programme,
the data changes faster than training can follow, the answers must cite their sources, or no
provider is open to a team starting now. The options are the one source of truth for what is
ruled out (`CostOption.ruled_out`: its `why_not`, its failed musts, or no such option at all);
here every fired rule that advises one (`advises` in the catalogue) is turned round when it is
ruled out: its reason and warning say so, with the option's own reason and what the team can
build now, as the on-prem rule says it for a team on its own infrastructure.
"""

from __future__ import annotations

from dataclasses import replace

from app.rules.base.requirements import why_not as fails_why
from app.rules.decision.conditions import FRESHNESS_WORDS
from app.rules.decision.engine import Evaluation, FiredRule, Standing
from app.rules.decision.registry import Fired
from app.rules.result import CostOption

NOT_OFFERED = "No provider in the price data offers it to a team starting now."
"""Why an advised option the costs do not price at all is ruled out."""

NOW = {
    "rag": "retrieval on {model}",
    "base": "prompting {model}",
    "api": "prompting {model} through its API",
}
"""What a team can build without training, by cost line, in the order it is offered."""


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def why_ruled_out(option: CostOption | None, freshness: str) -> str:
    """The option's own reasons, in sentences: what rules it out, then the musts it fails."""
    if option is None:
        return NOT_OFFERED
    said = [option.why_not] if not option.eligible and option.why_not else []
    if option.fails_requirements:
        said.append(_sentence(fails_why(option.fails_requirements, freshness)))
    return " ".join(said)


def what_now(options: tuple[CostOption, ...]) -> str:
    """'retrieval on GPT-5.2 or prompting GPT-5.2 through its API': the options that train
    nothing and are not ruled out, or the recommendation when none is."""
    by_line = {o.line: o for o in options}
    found = [
        NOW[line].format(model=o.runs_on)
        for line in NOW
        if (o := by_line.get(line)) is not None and not o.ruled_out
    ]
    if not found:
        return "the recommendation above"
    return found[0] if len(found) == 1 else ", ".join(found[:-1]) + " or " + found[-1]


def _turned(ev: Evaluation, f: FiredRule, options: tuple[CostOption, ...]) -> FiredRule:
    """`f` with its advice turned round when the option it advises is ruled out."""
    line = f.rule.advises
    if line is None:
        return f
    option = next((o for o in options if o.line == line), None)
    if option is not None and not option.ruled_out:
        return f
    facts = ev.facts
    extra = {
        "why": why_ruled_out(option, FRESHNESS_WORDS[facts.answers.data_freshness]),
        "instead": what_now(options),
        "self_run_capability": str(facts.thresholds.no_self_run_max_capability + 1),
    }
    texts = f.fired.texts | extra
    return FiredRule(f.rule.as_ruled_out(), Fired(texts, f.fired.exclude))


def heed_options(ev: Evaluation, options: tuple[CostOption, ...]) -> Evaluation:
    """The evaluation with every fired rule's advice checked against the options: the same
    rules, effects and ranking, only the words of those whose advised option is ruled out."""
    if not any(f.rule.advises for f in ev.fired):
        return ev
    turned = {id(f): _turned(ev, f, options) for f in ev.fired}

    def each(found: tuple[FiredRule, ...]) -> tuple[FiredRule, ...]:
        return tuple(turned.get(id(f), f) for f in found)

    def standing(s: Standing) -> Standing:
        return replace(
            s,
            excluded_by=each(s.excluded_by),
            complement_only_by=each(s.complement_only_by),
        )

    return replace(
        ev,
        fired=each(ev.fired),
        standings=tuple(standing(s) for s in ev.standings),
        decided_by=each(ev.decided_by),
    )
