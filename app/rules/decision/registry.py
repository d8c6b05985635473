"""The registry of conditions: each rule id's condition and the answers it reads.

conditions.py and anti_patterns.py register into it; the engine looks conditions up here by id
at every call, so a test that switches one off switches it off everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.rules.base.approaches import Approach
from app.rules.base.facts import Facts


@dataclass(frozen=True, slots=True)
class Fired:
    values: dict[str, str] = field(default_factory=dict)
    exclude: tuple[Approach, ...] = ()
    later: Callable[[], dict[str, str]] | None = field(default=None, compare=False)
    """Values that cost something to write (money, lists), made only when a reason or a
    warning is read: the counterfactual search fires rules dozens of times and reads none."""

    @property
    def texts(self) -> dict[str, str]:
        """Everything the rule's reason and warning templates may name."""
        return self.values if self.later is None else self.values | self.later()


Condition = Callable[[Facts], Fired | None]
CONDITIONS: dict[str, Condition] = {}
READS: dict[str, frozenset[str]] = {}
"""The answers each condition reads: the counterfactual search re-fires a rule only when one of
them changes (the context and the catalogue never change within one search)."""


def rule(rule_id: str, *reads: str) -> Callable[[Condition], Condition]:
    """Register a rule's condition with the answers it reads (directly, or through the facts
    derived from them: see METHODS); a test checks that no other answer moves it."""

    def register(fn: Condition) -> Condition:
        CONDITIONS[rule_id] = fn
        READS[rule_id] = frozenset(reads)
        return fn

    return register


def when(test: bool, **values: str) -> Fired | None:
    return Fired(values) if test else None
