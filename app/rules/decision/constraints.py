"""The policy's musts, applied after the points are tallied: one small named function each.

Points weigh preferences against each other; a must is not a preference. A constraint looks
at the approach the points put first (the leader) and, when the policy forbids that leader,
makes its catalogue entry's `primary` approach the primary one instead, provided nothing
excludes it or keeps it to a complement. Its texts (`[[constraints]]` in data/rules.toml) carry
the id, the effect, the reason with the case's figures and the source, like every rule.

evaluate() (engine.py) and the counterfactual search's fast path (decision.py) both call
`constrain`, so the two cannot disagree. A constraint is applied to every probe of the search,
whatever answer changed; CONSTRAINT_READS still says which answers each one reads besides the
ranking (a test checks it), as READS does for the conditions.
"""

from __future__ import annotations

from collections.abc import Callable

from app.questions import Objective
from app.rules.base.approaches import FINE_TUNING, Approach
from app.rules.base.catalogue import Rule
from app.rules.base.facts import Facts
from app.rules.decision.registry import Fired

Score = Callable[[Approach], int]
"""Each approach's points after the tally."""
Check = Callable[[Facts, Approach, Score], Fired | None]
"""A constraint: the facts, the leader on points and the scores; None when it does not apply."""

CONSTRAINTS: dict[str, Check] = {}
CONSTRAINT_READS: dict[str, frozenset[str]] = {}

OBJECTIVE_WORDS = {Objective.knowledge: "facts", Objective.both: "facts as well as behaviour"}


def constraint(constraint_id: str, *reads: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CONSTRAINTS[constraint_id] = fn
        CONSTRAINT_READS[constraint_id] = frozenset(reads)
        return fn

    return register


def _figures(leader: Approach, score: Score) -> Fired:
    return Fired(
        later=lambda: {
            "leader": leader.label,
            "leader_score": f"{score(leader):+d}",
            "rag_score": f"{score(Approach.rag):+d}",
        }
    )


@constraint("citations-keep-retrieval-primary", "citations_required")
def _citations(f: Facts, leader: Approach, score: Score) -> Fired | None:
    """Policy 2: required citations make retrieval primary, whatever the points say."""
    if not f.answers.citations_required or leader is Approach.rag:
        return None
    return _figures(leader, score)


@constraint("knowledge-keeps-retrieval", "objective")
def _knowledge(f: Facts, leader: Approach, score: Score) -> Fired | None:
    """Policy 1: facts go to retrieval. A fine-tuned leader gets retrieval beside it
    (engine.complements_of); not fine-tuning at all would leave the facts to nothing."""
    objective = f.answers.objective
    if objective not in OBJECTIVE_WORDS or leader is not Approach.dont_fine_tune:
        return None
    figures = _figures(leader, score)
    return Fired({"objective": OBJECTIVE_WORDS[objective]}, later=figures.later)


@constraint("facts-keep-retrieval-primary", "objective")
def _facts_only(f: Facts, leader: Approach, score: Score) -> Fired | None:
    """Policy 1 and 004: facts alone are retrieval's job. A fine-tuning leader, which would
    have had retrieval beside it for the facts anyway, gives the primary place to retrieval."""
    if f.answers.objective is not Objective.knowledge or leader not in FINE_TUNING:
        return None
    return _figures(leader, score)


def constrain(
    facts: Facts,
    leader: Approach,
    may_lead: Callable[[Approach], bool],
    score: Score,
) -> tuple[Approach, tuple[tuple[Rule, Fired], ...]]:
    """The primary approach once the catalogue's constraints are applied to the leader on
    points, in catalogue order, and the constraints that moved it (with their values)."""
    moved: list[tuple[Rule, Fired]] = []
    for entry in facts.catalogue.constraints:
        target = entry.primary
        if target is None or target is leader or not may_lead(target):
            continue
        outcome = CONSTRAINTS[entry.id](facts, leader, score)
        if outcome is not None:
            moved.append((entry, outcome))
            leader = target
    return leader, tuple(moved)
