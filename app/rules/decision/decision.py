"""The decision alone, for the counterfactual search: the primary approach as numbers.

The search asks dozens of times per recommendation what the primary approach would be with
one answer changed. It fires only the rules that read that answer (READS) and adds their
outcomes to the tally of the others, kept as plain counts; the order of approaches is the
engine's own `rank_key`, and the policy's musts are the engine's own `constrain`, applied to
every probe, so the search and evaluate() cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from app.rules.base.approaches import Approach
from app.rules.base.catalogue import Rule, RuleCatalogue
from app.rules.base.facts import Facts
from app.rules.decision.conditions import CONDITIONS, READS, Condition, Fired
from app.rules.decision.constraints import constrain
from app.rules.decision.engine import (
    APPROACHES,
    INDEX,
    Evaluation,
    FiredRule,
    Tally,
    rank_key,
    rank_order,
    tally,
)


@dataclass(frozen=True, slots=True)
class Counts:
    """A tally without the rules behind it: scores and exclusion counts in Approach order."""

    scores: tuple[int, ...]
    excluded: tuple[int, ...]
    complement_only: tuple[int, ...]

    def minus(self, fired: Iterable[tuple[Rule, Fired]]) -> Counts:
        """The tally without these (already counted) rule outcomes."""
        scores, excluded = list(self.scores), list(self.excluded)
        complement = list(self.complement_only)
        for rule, outcome in fired:
            for approach, points in rule.score:
                scores[INDEX[approach]] -= points
            for approach in outcome.exclude or rule.exclude:
                excluded[INDEX[approach]] -= 1
            for approach in rule.not_primary:
                complement[INDEX[approach]] -= 1
        return Counts(tuple(scores), tuple(excluded), tuple(complement))

    def plus(
        self, fired: Iterable[tuple[Rule, Fired]], order: tuple[int, ...], facts: Facts
    ) -> Approach:
        """The primary approach once these rule outcomes are added and the constraints
        applied to the facts."""
        scores, excluded, complement = list(self.scores), list(self.excluded), None
        for rule, outcome in fired:
            for approach, points in rule.score:
                scores[INDEX[approach]] += points
            for approach in outcome.exclude or rule.exclude:
                excluded[INDEX[approach]] += 1
            if rule.not_primary:
                complement = complement or list(self.complement_only)
                for approach in rule.not_primary:
                    complement[INDEX[approach]] += 1
        comp = complement or self.complement_only
        best = min(
            range(len(APPROACHES)),
            key=lambda i: rank_key(excluded[i], comp[i], scores[i], order[i]),
        )
        primary, _ = constrain(
            facts,
            APPROACHES[best],
            lambda a: not excluded[INDEX[a]] and not comp[INDEX[a]],
            lambda a: scores[INDEX[a]],
        )
        return primary


def counts_of(t: Tally) -> Counts:
    """A tally as numbers only, in Approach order (what a probe needs)."""
    return Counts(
        tuple(t.scores[a] for a in APPROACHES),
        tuple(len(t.excluded_by[a]) for a in APPROACHES),
        tuple(len(t.complement_only_by[a]) for a in APPROACHES),
    )


@dataclass(frozen=True, slots=True)
class Decision:
    """The primary approach and each deciding rule's outcome, for the counterfactual search.

    Built on the same conditions, tally and ranking key as evaluate(), over the rules that can
    move the result (warning-only rules cannot).
    """

    facts: Facts
    fired: tuple[FiredRule | None, ...]
    """Each deciding rule's outcome, in catalogue order (None: it did not fire)."""
    counts: Counts
    primary: Approach

    def around(self, changed: frozenset[str]) -> Neighbourhood:
        """What stays put when only `changed` answers move: the rules that read none of them
        (READS) keep their outcome and their part of the tally."""
        catalogue = self.facts.catalogue
        rules = catalogue.deciding_rules
        moving = _moving(catalogue, changed)
        gone = [(f.rule, f.fired) for i in moving if (f := self.fired[i]) is not None]
        order = rank_order(catalogue)
        return Neighbourhood(
            rules=tuple((rules[i], CONDITIONS[rules[i].id]) for i in moving),
            partial=self.counts.minus(gone),
            order=tuple(order[a] for a in APPROACHES),
        )


@cache
def _moving(catalogue: RuleCatalogue, changed: frozenset[str]) -> tuple[int, ...]:
    """The deciding rules (by position) that read one of the changed answers."""
    return tuple(i for i, r in enumerate(catalogue.deciding_rules) if READS[r.id] & changed)


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    rules: tuple[tuple[Rule, Condition], ...]
    """The deciding rules that read a changed answer, with their conditions: a probe fires
    only these."""
    partial: Counts
    """The tally of every other deciding rule, which the change cannot move."""
    order: tuple[int, ...]

    def primary(self, facts: Facts) -> Approach:
        """The primary approach for facts whose answers differ only in the changed ones."""
        fired = [(rule, o) for rule, condition in self.rules if (o := condition(facts)) is not None]
        return self.partial.plus(fired, self.order, facts)


def decide(ev: Evaluation) -> Decision:
    """The evaluation's decision, with each deciding rule's outcome (read from its fired rules:
    nothing is fired twice)."""
    facts = ev.facts
    by_id = {f.rule.id: f for f in ev.fired}
    fired = tuple(by_id.get(r.id) for r in facts.catalogue.deciding_rules)
    counts = counts_of(tally(f for f in fired if f is not None))
    return Decision(facts, fired, counts, ev.primary)
