"""Why the recommendation, and why not the others, in words.

"Why" gives only the reasons for the recommendation: the fired rules that pushed the
recommended approach up, and those that ruled out an approach that had outscored it. The rest
stay in "How the score was reached". Each alternative is one line: an eligible one with what
separates it from the recommendation, a ruled-out one with the first clause of why. The points
a rule gave are read from its effect as the result states it ("lora +3; excludes qlora").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.rules.base.catalogue import load_rules
from app.rules.result import FiredRule, RankedApproach, Recommendation
from app.views.chart_words import short_reason
from app.views.method import effect_words, name_in_words
from app.views.rows import Row

_POINTS = re.compile(r"(?P<approach>[a-z_]+) (?P<points>[+-]\d+)")


@dataclass(frozen=True, slots=True)
class Reason:
    text: str
    source: str


def points(rule: FiredRule) -> dict[str, int]:
    """What the rule gave each approach: {'lora': 3, 'rag': -2}."""
    return {m["approach"]: int(m["points"]) for m in _POINTS.finditer(rule.effect)}


def _rules_out(rule: FiredRule, approach: str) -> bool:
    return (
        f"excludes {approach}" in rule.effect or f"{approach} only as a complement" in rule.effect
    )


def why(r: Recommendation) -> tuple[Reason, ...]:
    """The fired rules that are reasons for the recommendation, in the order they fired."""
    primary = r.approach.value
    mine = next(s.score for s in r.ranking if s.approach == r.approach)
    stronger = {s.approach.value for s in r.ranking if s.score > mine and s.approach != r.approach}
    found = tuple(
        Reason(f.reason, f.source)
        for f in r.rules_fired
        if points(f).get(primary, 0) > 0 or any(_rules_out(f, a) for a in stronger)
    )
    head = f"Recommended: {r.approach.label}."
    return found or (Reason(r.summary.removeprefix(head).strip(), "the rules of this assessment"),)


def _separating(r: Recommendation, loser: str) -> FiredRule | None:
    """The fired rule that most favours the recommendation over `loser`."""
    primary = r.approach.value
    gaps = [(points(f).get(primary, 0) - points(f).get(loser, 0), f) for f in r.rules_fired]
    best = max(gaps, key=lambda g: g[0], default=(0, None))
    return best[1] if best[0] > 0 else None


def _alternative(r: Recommendation, s: RankedApproach) -> str:
    a = s.approach.value
    ruling = next((f for f in r.rules_fired if _rules_out(f, a)), None)
    if not s.eligible and ruling is not None:
        return f"{s.label}: ruled out, {short_reason(ruling.reason)}."
    if not s.primary_eligible and ruling is not None:
        return f"{s.label}: only alongside the recommendation, {short_reason(ruling.reason)}."
    gap = next(x.score for x in r.ranking if x.approach == r.approach) - s.score
    closeness = "a close second" if gap < load_rules().medium_margin else "a weaker fit"
    rule = _separating(r, a)
    return f"{s.label}: {closeness}" + (f", {short_reason(rule.reason)}." if rule else ".")


def alternatives(r: Recommendation) -> tuple[str, ...]:
    """Each approach but the recommendation, one line each, eligible ones first."""
    others = [s for s in r.ranking if s.approach != r.approach]
    others.sort(key=lambda s: (not s.eligible, not s.primary_eligible, s.rank))
    return tuple(_alternative(r, s) for s in others)


def scoring_rules(r: Recommendation) -> tuple[Row, ...]:
    """Each fired rule, named and its effect said in words (never its id), with what it did to
    the points: the appendix's scoring."""
    return tuple(Row(name_in_words(f.id), effect_words(f.effect)) for f in r.rules_fired)


def scoring_points(r: Recommendation) -> tuple[Row, ...]:
    return tuple(Row(s.label, str(s.score), "yes" if s.eligible else "no") for s in r.ranking)
