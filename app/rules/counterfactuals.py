"""What would change the recommendation: the smallest changes to one answer, or two.

Found by re-evaluating neighbouring answers, not by reading the rules backwards: each answer
gets a few candidate values (every other option of a choice; for numbers, the values just
across each threshold the rules and the cost model use), the engine runs on each, and the
closest value that changes the primary approach is kept. Pairs are searched only when no
single change moves the result, so a reader always learns what it would take.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from app.questions import Answers, DataFreshness, DomainVocabulary, Objective, OutputConsistency
from app.rules.approaches import Approach
from app.rules.engine import Evaluation, primary_of
from app.rules.facts import build_facts

EXAMPLE_THRESHOLDS = (200, 1000, 100_001)
LATENCY_THRESHOLDS = (100, 300)
ENUMS: dict[str, tuple[Any, ...]] = {
    "objective": tuple(Objective),
    "domain_vocabulary": tuple(DomainVocabulary),
    "output_consistency": tuple(OutputConsistency),
    "data_freshness": tuple(DataFreshness),
}
ORDER = tuple(Answers.model_fields)


@dataclass(frozen=True, slots=True)
class Counterfactual:
    change: tuple[tuple[str, Any], ...]
    approach: Approach
    distance: float


def _across(value: float, thresholds: tuple[float, ...]) -> Iterator[float]:
    """The values just across each threshold from where the answer is."""
    for t in thresholds:
        yield t if value < t else t - 1


def _candidates(answers: Answers, ev: Evaluation) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name, options in ENUMS.items():
        current = getattr(answers, name)
        out[name] = [o for o in options if o is not current]
    out["citations_required"] = [not answers.citations_required]
    out["labelled_examples"] = [
        int(v) for v in _across(answers.labelled_examples, EXAMPLE_THRESHOLDS)
    ]
    out["latency_p99_ms"] = [
        int(v) for v in _across(answers.latency_p99_ms, LATENCY_THRESHOLDS) if v >= 10
    ]
    out["ml_capability"] = [c for c in range(1, 6) if c != answers.ml_capability]
    costs = sorted({math.ceil(m.programme_usd) for m in ev.facts.methods})
    out["budget_usd"] = [
        float(c if answers.budget_usd < c else max(0, c - 1)) for c in costs if c <= 100_000_000
    ]
    return out


def _distance(name: str, old: Any, new: Any) -> float:
    """How big a change is, comparable within one answer (choices by their order)."""
    if name in ENUMS:
        options = ENUMS[name]
        return float(abs(options.index(new) - options.index(old)))
    if isinstance(old, bool):
        return 1.0
    return abs(math.log1p(float(new)) - math.log1p(float(old)))


def _try(answers: Answers, change: dict[str, Any], base: Evaluation) -> Approach | None:
    changed = answers.model_copy(update=change)
    result = primary_of(build_facts(changed, base.facts.context))
    return result if result is not base.primary else None


def _direction(name: str, old: Any, new: Any) -> int:
    """Numbers may move either way and a reader wants both ('at least 200', 'at most 99,999');
    a choice is one change however far it moves."""
    if name in ENUMS or isinstance(old, bool):
        return 0
    return 1 if new > old else -1


def find_counterfactuals(ev: Evaluation) -> tuple[Counterfactual, ...]:
    answers = ev.facts.answers
    candidates = _candidates(answers, ev)
    found: list[Counterfactual] = []
    for name in ORDER:
        old = getattr(answers, name)
        best: dict[int, Counterfactual] = {}
        for value in _nearest(answers, name, candidates[name], limit=None):
            way = _direction(name, old, value)
            if way in best:
                continue
            approach = _try(answers, {name: value}, ev)
            if approach is not None:
                best[way] = Counterfactual(((name, value),), approach, _distance(name, old, value))
        found.extend(best[way] for way in sorted(best))
    if found:
        return tuple(found)
    return _pairs(answers, candidates, ev)


def _nearest(answers: Answers, name: str, values: list[Any], limit: int | None = 2) -> list[Any]:
    old = getattr(answers, name)

    def distance(value: Any) -> float:
        return _distance(name, old, value)

    return sorted(values, key=distance)[:limit]


def _pairs(
    answers: Answers, candidates: dict[str, list[Any]], ev: Evaluation
) -> tuple[Counterfactual, ...]:
    """Two answers changed together, each to one of its nearest candidates, smallest first."""
    nearest = {name: _nearest(answers, name, values) for name, values in candidates.items()}
    found: list[Counterfactual] = []
    for first, second in combinations(ORDER, 2):
        pair = _first_pair(answers, ev, first, second, nearest)
        if pair is not None:
            found.append(pair)
    found.sort(key=lambda c: (c.distance, [ORDER.index(n) for n, _ in c.change]))
    return tuple(found[:5])


def _first_pair(
    answers: Answers, ev: Evaluation, first: str, second: str, nearest: dict[str, list[Any]]
) -> Counterfactual | None:
    for a in nearest[first]:
        for b in nearest[second]:
            approach = _try(answers, {first: a, second: b}, ev)
            if approach is not None:
                distance = _distance(first, getattr(answers, first), a) + _distance(
                    second, getattr(answers, second), b
                )
                return Counterfactual(((first, a), (second, b)), approach, distance)
    return None
