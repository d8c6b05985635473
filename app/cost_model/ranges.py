"""Low / expected / high figures: every estimate carries the uncertainty of its constants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.cost_model.constants import Band


@dataclass(frozen=True, slots=True)
class Range:
    low: float
    expected: float
    high: float

    @classmethod
    def of(cls, fn: Callable[[Band], float]) -> Range:
        values = (fn(Band.low), fn(Band.expected), fn(Band.high))
        return cls(min(values), values[1], max(values))

    @classmethod
    def exact(cls, value: float) -> Range:
        return cls(value, value, value)

    def __add__(self, other: Range) -> Range:
        return Range(self.low + other.low, self.expected + other.expected, self.high + other.high)

    def scale(self, factor: float) -> Range:
        return Range(self.low * factor, self.expected * factor, self.high * factor)

    def as_dict(self, digits: int = 2) -> dict[str, float]:
        return {
            "low": round(self.low, digits),
            "expected": round(self.expected, digits),
            "high": round(self.high, digits),
        }
