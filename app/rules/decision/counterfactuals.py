"""What would change the recommendation: the smallest changes to one answer, or two.

Found by running the engine (`decide`, the firing and ranking `evaluate` is built on) on
neighbouring answers, never by reading the rules backwards. A choice tries each other option.
A number is different: the primary approach is piecewise constant in it, changing only at the
catalogue's thresholds and, for the example count and the budget, where a method's programme
cost meets the budget (cost_curve.py; for the budget those limits are the programme costs
themselves). So the engine runs once per stretch between those points, walking out from the
answer in each direction to the first stretch that changes the result, then on to where that
new result ends: "with at least X" is said only when every allowed value from X up gives it,
otherwise the band ("between X and Y"). Pairs are searched only when no single change moves
the result, so a reader always learns what it would take.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from app.cost_model.methods import Method
from app.questions import Answers, DataFreshness, DomainVocabulary, Objective, OutputConsistency
from app.questions.models import answer_bounds
from app.rules.base.approaches import Approach
from app.rules.base.cost_curve import fewest_examples, most_within
from app.rules.base.facts import METHODS, Facts, build_facts, same_methods, with_budget
from app.rules.decision.decision import Neighbourhood, decide
from app.rules.decision.engine import Evaluation
from app.vocabulary.changes import describe_band, describe_change

ENUMS: dict[str, tuple[Any, ...]] = {
    "objective": tuple(Objective),
    "domain_vocabulary": tuple(DomainVocabulary),
    "output_consistency": tuple(OutputConsistency),
    "data_freshness": tuple(DataFreshness),
}
NUMBERS = ("labelled_examples", "latency_p99_ms", "ml_capability", "budget_usd")
ORDER = tuple(Answers.model_fields)
CENT = 0.01
BUDGET_ONLY = frozenset({"budget_usd"})
SIZES = frozenset({"labelled_examples", "budget_usd"})
"""The answers that size the methods' training sets directly (the rest move their shapes)."""


@dataclass(frozen=True, slots=True)
class Counterfactual:
    change: tuple[tuple[str, Any], ...]
    """The answers changed and the value each is set to (for a number, the band's near end)."""
    approach: Approach
    distance: float
    sentence: str
    """The change and its result in words, true for every value it names."""
    band: tuple[float, float | None] | None = None
    """For one numeric change: the inclusive values over which `approach` holds (None above:
    up to the highest allowed value). None for choices and pairs."""


Primary = Callable[[dict[str, Any]], Approach]


def _primary_of(ev: Evaluation) -> Primary:
    """The engine's primary approach with some answers changed, the rest as in ev: the facts
    and the rule outcomes that the change cannot touch are reused, not rebuilt."""
    facts = ev.facts
    base = decide(ev)
    around: dict[frozenset[str], Neighbourhood] = {}

    def primary(change: dict[str, Any]) -> Approach:
        names = frozenset(change)
        if names not in around:
            around[names] = base.around(names)
        answers = facts.answers.model_copy(update=change)
        if names.isdisjoint(METHODS):  # the model and the methods' costs stay as they are
            changed = facts.with_answers(answers)
        elif names == BUDGET_ONLY:  # the methods trained on every example that fit stay
            changed = with_budget(facts, answers)
        elif names.isdisjoint(SIZES) and same_methods(facts, answers):
            changed = facts.with_answers(answers)  # same model, same shapes, same sizes
        else:  # a probe moves a value the methods depend on: build them for it
            changed = build_facts(answers, facts.context, facts.catalogue)
        return around[names].primary(changed)

    return primary


def _breaks(name: str, facts: Facts, lowest: float, highest: float) -> list[float]:
    """The values where the primary approach may change, each the first of its stretch."""
    t = facts.thresholds
    if name == "labelled_examples":
        points: list[float] = [
            t.min_examples,
            t.comfortable_examples,
            t.sweet_spot_max_examples + 1,
        ]
        budget = round(facts.answers.budget_usd, 2)
        for method in Method:  # where training on every example stops fitting the budget
            last = most_within(facts.shape(method), budget, int(lowest), int(highest))
            if last is not None:
                points.append(last + 1)
    elif name == "latency_p99_ms":
        points = [t.small_model_latency_ms, t.hop_latency_ms]
    elif name == "ml_capability":
        points = list(range(int(lowest) + 1, int(highest) + 1))
    else:
        # A method fits from the budget that pays for its smallest plan (fewest_examples), and
        # trains on every example from the budget that pays for that (fits_budget, at cents).
        n = facts.answers.labelled_examples
        points = [
            round(facts.shape(m).cost(size), 2)
            for m in Method
            for size in {n, fewest_examples(m, n, t)}
        ]
    return sorted({p for p in points if lowest < p <= highest})


def _cents_up(value: float) -> float:
    """The smallest whole-cent amount at or above value."""
    cents = math.ceil(round(value * 100, 6))  # 4.4 * 100 is 440.00000000000006, not 441 cents
    while cents / 100 < value:
        cents += 1
    return cents / 100


def _cents_below(value: float) -> float:
    """The largest whole-cent amount strictly below value."""
    cents = math.floor(value * 100)
    while cents / 100 >= value:
        cents -= 1
    return cents / 100


@dataclass(frozen=True, slots=True)
class Stretches:
    """A numeric answer's range cut at its breaks: stretch i is [starts[i], starts[i+1])."""

    name: str
    starts: tuple[float, ...]
    highest: float

    def first(self, i: int) -> float:
        start = self.starts[i]
        return _cents_up(start) if self.name == "budget_usd" else start

    def last(self, i: int) -> float:
        if i + 1 == len(self.starts):
            return self.highest
        end = self.starts[i + 1]
        return _cents_below(end) if self.name == "budget_usd" else end - 1

    def value(self, v: float) -> Any:
        return v if self.name == "budget_usd" else int(v)


def _numeric(name: str, ev: Evaluation, primary: Primary) -> list[Counterfactual]:
    """The nearest change of result below and above the answer, each with its band."""
    facts = ev.facts
    lowest, highest = answer_bounds(name)
    old = getattr(facts.answers, name)
    s = Stretches(name, (lowest, *_breaks(name, facts, lowest, highest)), highest)
    at_cents = round(old, 2) if name == "budget_usd" else old  # what the rules compare
    here = max(i for i, start in enumerate(s.starts) if start <= at_cents)
    known: dict[int, Approach] = {here: ev.primary}

    def at(i: int) -> Approach:
        """The result over stretch i (the same at each of its values: try its start)."""
        if i not in known:
            known[i] = primary({name: s.value(s.starts[i])})
        return known[i]

    found = []
    below = next((i for i in range(here - 1, -1, -1) if at(i) is not ev.primary), None)
    if below is not None and s.first(below) <= s.last(below):
        approach = known[below]
        end = next((i for i in range(below - 1, -1, -1) if at(i) is not approach), -1)
        found.append(_single(name, old, approach, (s.first(end + 1), s.last(below)), s, up=False))
    count = len(s.starts)
    above = next((i for i in range(here + 1, count) if at(i) is not ev.primary), None)
    if above is not None and s.first(above) <= s.last(above):
        approach = known[above]
        stop = next((i for i in range(above + 1, count) if at(i) is not approach), None)
        top = None if stop is None else s.last(stop - 1)
        found.append(_single(name, old, approach, (s.first(above), top), s, up=True))
    return found


def _single(
    name: str,
    old: Any,
    approach: Approach,
    band: tuple[float, float | None],
    s: Stretches,
    *,
    up: bool,
) -> Counterfactual:
    low, high = band
    near = low if up else high
    assert near is not None
    phrase = describe_band(name, band, s.starts[0])
    return Counterfactual(
        change=((name, s.value(near)),),
        approach=approach,
        distance=_distance(name, old, near),
        sentence=f"{phrase}, the recommendation would be {approach.label}.",
        band=(s.value(low), None if high is None else s.value(high)),
    )


def _choices(answers: Answers) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name, options in ENUMS.items():
        current = getattr(answers, name)
        out[name] = [o for o in options if o is not current]
    out["citations_required"] = [not answers.citations_required]
    return out


def _distance(name: str, old: Any, new: Any) -> float:
    """How big a change is, comparable within one answer (choices by their order)."""
    if name in ENUMS:
        options = ENUMS[name]
        return float(abs(options.index(new) - options.index(old)))
    if isinstance(old, bool):
        return 1.0
    return abs(math.log1p(float(new)) - math.log1p(float(old)))


def _sentence(change: tuple[tuple[str, Any], ...], approach: Approach) -> str:
    phrases = [describe_change(name, value) for name, value in change]
    text = phrases[0] + "".join(f" and {p[0].lower()}{p[1:]}" for p in phrases[1:])
    return f"{text}, the recommendation would be {approach.label}."


def find_counterfactuals(ev: Evaluation) -> tuple[Counterfactual, ...]:
    answers = ev.facts.answers
    primary = _primary_of(ev)
    choices = _choices(answers)
    found: list[Counterfactual] = []
    for name in ORDER:
        if name in NUMBERS:
            found.extend(_numeric(name, ev, primary))
            continue
        for value in _by_distance(name, getattr(answers, name), choices[name]):
            approach = primary({name: value})
            if approach is not ev.primary:
                change = ((name, value),)
                distance = _distance(name, getattr(answers, name), value)
                found.append(
                    Counterfactual(change, approach, distance, _sentence(change, approach))
                )
                break
    if found:
        return tuple(found)
    return _pairs(ev, primary, choices)


def _nearest(ev: Evaluation, name: str, choices: dict[str, list[Any]]) -> list[Any]:
    """Two nearest values worth trying for one answer: the values just across its breaks."""
    old = getattr(ev.facts.answers, name)
    if name in NUMBERS:
        lowest, highest = answer_bounds(name)
        s = Stretches(name, (lowest, *_breaks(name, ev.facts, lowest, highest)), highest)
        at_cents = round(old, 2) if name == "budget_usd" else old
        here = max(i for i, start in enumerate(s.starts) if start <= at_cents)
        values = [s.value(s.last(i)) for i in range(here)]
        values += [s.value(s.first(i)) for i in range(here + 1, len(s.starts))]
    else:
        values = choices[name]
    return _by_distance(name, old, values)[:2]


def _by_distance(name: str, old: Any, values: list[Any]) -> list[Any]:
    return sorted(values, key=lambda v: _distance(name, old, v))


def _pairs(
    ev: Evaluation, primary: Primary, choices: dict[str, list[Any]]
) -> tuple[Counterfactual, ...]:
    """Two answers changed together, each to one of its nearest values, smallest first."""
    nearest = {name: _nearest(ev, name, choices) for name in ORDER}
    found: list[Counterfactual] = []
    for first, second in combinations(ORDER, 2):
        pair = _first_pair(ev, primary, first, second, nearest)
        if pair is not None:
            found.append(pair)
    found.sort(key=lambda c: (c.distance, [ORDER.index(n) for n, _ in c.change]))
    return tuple(found[:5])


def _first_pair(
    ev: Evaluation,
    primary: Primary,
    first: str,
    second: str,
    nearest: dict[str, list[Any]],
) -> Counterfactual | None:
    answers = ev.facts.answers
    for a in nearest[first]:
        for b in nearest[second]:
            approach = primary({first: a, second: b})
            if approach is not ev.primary:
                distance = _distance(first, getattr(answers, first), a) + _distance(
                    second, getattr(answers, second), b
                )
                change = ((first, a), (second, b))
                return Counterfactual(change, approach, distance, _sentence(change, approach))
    return None
