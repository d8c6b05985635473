"""Evaluate the rule catalogue on the facts: scores, eligibility, the primary approach.

Pure and deterministic: rules are applied in catalogue order, ties are broken by the
catalogue's fixed order, and nothing depends on the clock or on dict iteration accidents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from app.questions import DataFreshness, Objective
from app.rules.base.approaches import FINE_TUNING, Approach
from app.rules.base.catalogue import Rule, RuleCatalogue
from app.rules.base.facts import Facts
from app.rules.decision.conditions import CONDITIONS, Fired
from app.rules.decision.constraints import constrain


@dataclass(frozen=True, slots=True)
class FiredRule:
    rule: Rule
    fired: Fired

    @property
    def excludes(self) -> tuple[Approach, ...]:
        return self.fired.exclude or self.rule.exclude

    def points(self, approach: Approach) -> int:
        return self.rule.points[approach]

    def reason(self) -> str:
        return self.rule.reason.format_map(self.fired.texts)

    def warning(self) -> str | None:
        return self.rule.warning.format_map(self.fired.texts) if self.rule.warning else None


@dataclass(frozen=True, slots=True)
class Standing:
    approach: Approach
    score: int
    eligible: bool
    primary_eligible: bool
    excluded_by: tuple[FiredRule, ...]
    complement_only_by: tuple[FiredRule, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    facts: Facts
    fired: tuple[FiredRule, ...]
    standings: tuple[Standing, ...]
    """All five approaches, best first."""
    silenced: frozenset[str]
    """Rules whose warning does not apply to this result (see `applies_to`)."""
    decided_by: tuple[FiredRule, ...] = ()
    """The constraints (the policy's musts) that moved the primary approach off the leader on
    points; they are also the last of `fired`."""

    @property
    def primary(self) -> Approach:
        return self.standings[0].approach

    def standing(self, approach: Approach) -> Standing:
        return next(s for s in self.standings if s.approach is approach)

    @property
    def runner_up(self) -> Standing | None:
        rest = [s for s in self.standings[1:] if s.primary_eligible]
        return rest[0] if rest else None

    @property
    def margin(self) -> int | None:
        second = self.runner_up
        return None if second is None else self.standings[0].score - second.score

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(
            w
            for f in self.fired
            if f.rule.id not in self.silenced and (w := f.warning()) is not None
        )

    @property
    def complements(self) -> tuple[Approach, ...]:
        return complements_of(self)


def fire_rules(facts: Facts, rules: tuple[Rule, ...]) -> tuple[FiredRule, ...]:
    """The rules whose condition holds, in catalogue order (conditions are looked up by id at
    each call, so a test that switches one off switches it off everywhere)."""
    fired = []
    for rule in rules:
        result = CONDITIONS[rule.id](facts)
        if result is not None:
            fired.append(FiredRule(rule, result))
    return tuple(fired)


@dataclass(frozen=True, slots=True)
class Tally:
    """What the fired rules add up to for each approach: the inputs of the ranking."""

    scores: dict[Approach, int]
    excluded_by: dict[Approach, list[FiredRule]]
    complement_only_by: dict[Approach, list[FiredRule]]

    def key(self, approach: Approach, order: dict[Approach, int]) -> tuple[bool, bool, int, int]:
        return rank_key(
            len(self.excluded_by[approach]),
            len(self.complement_only_by[approach]),
            self.scores[approach],
            order[approach],
        )


def rank_key(
    excluded: int, complement_only: int, score: int, order: int
) -> tuple[bool, bool, int, int]:
    """How approaches are ordered, the one definition: eligible as primary first, then eligible
    (as a complement), then by score, ties to the catalogue's order (simpler, cheaper first)."""
    return (bool(excluded or complement_only), bool(excluded), -score, order)


APPROACHES = tuple(Approach)
INDEX = {a: i for i, a in enumerate(APPROACHES)}


def tally(fired: Iterable[FiredRule]) -> Tally:
    """Add up the fired rules: each approach's points and the rules that exclude it or keep
    it to a complement."""
    t = Tally(dict.fromkeys(Approach, 0), {a: [] for a in Approach}, {a: [] for a in Approach})
    for f in fired:
        for approach, points in f.rule.score:
            t.scores[approach] += points
        for approach in f.excludes:
            t.excluded_by[approach].append(f)
        for approach in f.rule.not_primary:
            t.complement_only_by[approach].append(f)
    return t


def rank(
    fired: tuple[FiredRule, ...], facts: Facts
) -> tuple[tuple[Standing, ...], tuple[FiredRule, ...]]:
    """Scores, eligibility and order of all five approaches, the one ranking there is, and
    the constraints that put their approach first after the points were tallied."""
    t = tally(fired)
    order = rank_order(facts.catalogue)
    ranked = sorted(Approach, key=lambda a: t.key(a, order))
    primary, moved = constrain(
        facts,
        ranked[0],
        lambda a: not t.excluded_by[a] and not t.complement_only_by[a],
        t.scores.__getitem__,
    )
    ranked.remove(primary)
    standings = tuple(
        Standing(
            approach=a,
            score=t.scores[a],
            eligible=not t.excluded_by[a],
            primary_eligible=not t.excluded_by[a] and not t.complement_only_by[a],
            excluded_by=tuple(t.excluded_by[a]),
            complement_only_by=tuple(t.complement_only_by[a]),
        )
        for a in (primary, *ranked)
    )
    return standings, tuple(FiredRule(rule, outcome) for rule, outcome in moved)


@cache
def rank_order(catalogue: RuleCatalogue) -> dict[Approach, int]:
    return {a: i for i, a in enumerate(catalogue.tie_break)}


def evaluate(facts: Facts) -> Evaluation:
    catalogue = facts.catalogue
    fired = fire_rules(facts, catalogue.rules)
    standings, decided_by = rank(fired, facts)
    fired += decided_by
    ev = Evaluation(facts, fired, standings, frozenset(), decided_by)
    shown = {ev.primary, *ev.complements}
    silenced = frozenset(
        f.rule.id for f in fired if f.rule.applies_to and not shown & set(f.rule.applies_to)
    )
    if not silenced:
        return ev
    kept = tuple(f for f in fired if not (f.rule.id in silenced and f.rule.warns_only))
    return Evaluation(facts, kept, ev.standings, silenced, decided_by)


def complements_of(ev: Evaluation) -> tuple[Approach, ...]:
    """What goes alongside the primary approach.

    Retrieval beside fine-tuning when facts must stay current or be cited; the best eligible
    fine-tuning method beside retrieval when the behaviour must change too (002: systems that
    need both use both).
    """
    answers = ev.facts.answers
    primary = ev.primary
    if primary in FINE_TUNING:
        needs_facts = (
            answers.objective is not Objective.behaviour
            or answers.data_freshness is DataFreshness.weekly
        )
        return (Approach.rag,) if needs_facts else ()
    if primary is Approach.rag and answers.objective is not Objective.knowledge:
        tuning = [s for s in ev.standings if s.approach in FINE_TUNING and s.eligible]
        return (tuning[0].approach,) if tuning else ()
    return ()
