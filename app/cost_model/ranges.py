"""Low / expected / high figures: a P10 to P90 interval from independent uncertain factors.

Each factor's band (bands.py) is the extremes of its cited sources (the cheapest and the
dearest provider, the lowest and the highest measured utilisation), read as its 90% interval,
P5 to P95 (data/README.md says why). A figure is computed with every factor at its expected
value, then once with each factor it read alone at its low and alone at its high (one at a
time, the rest expected): each factor's *swing*. The swings are combined as independent, by
the root sum of squares (the law of propagation of uncertainty for independent inputs, JCGM
100:2008, "GUM", 5.1.2), below and above the expected value separately, and the result is
taken from the P5/P95 the bands are to P10/P90: each swing is scaled by z(0.90) / z(0.95)
(1.2816 / 1.6449, `P10_OF_P5`) before the squares, on the scale the combination uses:

- a figure that cannot be negative (a cost, a time, an amount) on the log scale: its factors
  multiply (hours x price), and for a product of independent log-normal factors this gives the
  product's own P10 and P90 exactly; the low end never falls below zero;
- a figure that can (a saving: one cost minus another) on the linear scale, where the same
  holds for a sum of independent normal factors.

A factor the plan chooses (choices.py: the retrieved context per prompt, the vector store) is
not uncertainty: its swing is kept, and listed among the drivers with its effect, but it is
left out of the interval. So a range no longer stacks every low constant against every high
one. Ranges add, subtract and scale by their swings, factor by factor, before combining: the
same GPU price in a build and in a month of running moves both together, and a saving whose
two sides share a factor is not widened by it. A factor whose effect is not monotonic is
counted at its larger swing on each side. `Range.of` is deterministic: the same inputs give the
same swings in the same order. A range given only as its three values counts as one factor
whose low and high are read the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import NormalDist

from app.cost_model.bands import Band, Side, note, quiet, recording
from app.cost_model.cache_sizes import PER_REQUEST
from app.cost_model.choices import choices

UNNAMED = "range"
"""The one factor of a range given only as its low, expected and high values."""

P10_OF_P5 = NormalDist().inv_cdf(0.90) / NormalDist().inv_cdf(0.95)
"""A band's extremes are read as P5 and P95; the interval reported is P10 to P90: each swing,
log or linear, is scaled by z(0.90) / z(0.95) = 1.2816 / 1.6449 = 0.779 before combining."""


@dataclass(frozen=True, slots=True)
class Swing:
    """One factor's effect on a figure: how much the figure moves when that factor alone is at
    its low, and alone at its high (every other factor expected)."""

    factor: str
    at_low: float
    at_high: float

    @property
    def down(self) -> float:
        return max(0.0, -self.at_low, -self.at_high)

    @property
    def up(self) -> float:
        return max(0.0, self.at_low, self.at_high)

    @property
    def size(self) -> float:
        return max(self.down, self.up)

    def scale(self, factor: float) -> Swing:
        return Swing(self.factor, self.at_low * factor, self.at_high * factor)


def uncertain(swings: Iterable[Swing]) -> tuple[Swing, ...]:
    """The swings of uncertain factors: those the interval combines (not the plan's choices)."""
    chosen = choices()  # `is_choice`, read once per range: every range made asks
    return tuple(s for s in swings if s.factor not in chosen)


def interval(expected: float, swings: tuple[Swing, ...]) -> tuple[float, float]:
    """(low, high) of a figure from its uncertain factors' swings, combined as independent."""
    kept = uncertain(swings)
    if not kept:
        return expected, expected
    return combine(expected, [s.down for s in kept], [s.up for s in kept])


def combine(expected: float, downs: list[float], ups: list[float]) -> tuple[float, float]:
    """P10 and P90 from each factor's fall and rise (both >= 0) between its P5 and P95: on the
    log scale when the figure and every factor's low stay at or above zero, else on the linear
    scale; either way each swing is scaled by `P10_OF_P5` before the squares are summed."""
    k = P10_OF_P5
    log = math.log  # list comprehensions, no call per square: this runs for every month
    largest = max(downs, default=0.0)
    if expected > 0 and largest <= expected:
        if largest >= expected and downs:
            low = 0.0
        else:
            below = sum([log(1.0 - d / expected) ** 2 for d in downs])
            low = expected * math.exp(-k * math.sqrt(below))
        above = sum([log(1.0 + u / expected) ** 2 for u in ups])
        return low, expected * math.exp(k * math.sqrt(above))
    below = sum([d * d for d in downs])
    above = sum([u * u for u in ups])
    return expected - k * math.sqrt(below), expected + k * math.sqrt(above)


@dataclass(frozen=True, slots=True)
class Range:
    low: float
    expected: float
    high: float
    swings: tuple[Swing, ...] = ()
    """Each factor's swing, by factor name; empty for an exact figure, or for a range given
    only as its three values (it then counts as one factor of its own, `UNNAMED`)."""
    _hash: int | None = field(default=None, init=False, compare=False, repr=False)
    """The hash, once computed: ranges key the cost model's caches (a series, a reserve, a
    result's range), and hashing every swing on every lookup was a share of each answer."""
    _signed: bool | None = field(default=None, init=False, compare=False, repr=False)
    """`signs_zero`, once computed: asked before every cached sum and every result range."""
    _by_factor: dict[str, Swing] | None = field(default=None, init=False, compare=False, repr=False)
    """Each factor's first swing among `effects`, once computed: `at` is asked once per probe
    of every factor of a range made from this one (a retraining reserve reads its build)."""

    def __hash__(self) -> int:
        """The dataclass hash of (low, expected, high, swings), computed once."""
        cached = self._hash
        if cached is None:
            cached = hash((self.low, self.expected, self.high, self.swings))
            object.__setattr__(self, "_hash", cached)
        return cached

    @classmethod
    def from_swings(cls, expected: float, swings: Iterable[Swing]) -> Range:
        kept = tuple(sorted((s for s in swings if s.at_low or s.at_high), key=_by_factor))
        low, high = interval(expected, kept)
        return cls(low, expected, high, kept)

    @classmethod
    def of(cls, fn: Callable[[Band], float]) -> Range:
        """`fn` with every factor expected, then each factor it read alone at its low and at
        its high."""
        with recording() as reads:
            expected = fn(Band.expected)
        swings = []
        with quiet():  # the probes read the same factors; nobody outside needs them
            for factor in sorted(reads):
                at_low = fn(Band.only(factor, Side.low)) - expected
                at_high = fn(Band.only(factor, Side.high)) - expected
                swings.append(Swing(factor, at_low, at_high))
        return cls.from_swings(expected, swings)

    @classmethod
    def factor(cls, name: str, low: float, expected: float, high: float) -> Range:
        """One factor's own band as a range."""
        return cls.from_swings(expected, (Swing(name, low - expected, high - expected),))

    @classmethod
    def exact(cls, value: float) -> Range:
        return cls(value, value, value)

    @property
    def effects(self) -> tuple[Swing, ...]:
        """The swings, a range given only as its three values counted as one factor."""
        if self.swings or self.low == self.high == self.expected:
            return self.swings
        return (Swing(UNNAMED, self.low - self.expected, self.high - self.expected),)

    @property
    def signs_zero(self) -> bool:
        """Whether a figure or a swing is -0.0: equal to 0.0 (so a cache keyed on ranges would
        answer one with the other) but printed apart by canonical JSON. Computed once."""
        cached = self._signed
        if cached is None:
            cached = negative_zero((self.low, self.expected, self.high)) or any(
                negative_zero((s.at_low, s.at_high)) for s in self.swings
            )
            object.__setattr__(self, "_signed", cached)
        return cached

    @property
    def is_exact(self) -> bool:
        return self.low == self.expected == self.high

    def at(self, band: Band) -> float:
        """The figure under a band, so a range can be an input of `Range.of`: a probe of one
        factor moves it by that factor's swing; the stacked extremes give its low or high."""
        swings = self._by_factor
        if swings is None:
            swings = {}
            for s in self.effects:
                swings.setdefault(s.factor, s)  # the first, as a scan in order finds it
            object.__setattr__(self, "_by_factor", swings)
        note(swings)
        if band.factor is None:
            if band.side is Side.low:
                return self.low
            return self.high if band.side is Side.high else self.expected
        if band.side is not Side.expected and (swing := swings.get(band.factor)) is not None:
            return self.expected + (swing.at_low if band.side is Side.low else swing.at_high)
        return self.expected

    def drivers(self, count: int = 3) -> tuple[Swing, ...]:
        """The factors that move the figure most, largest first (ties by name)."""
        ranked = sorted(self.effects, key=lambda s: (-s.size, s.factor))
        return tuple(ranked[:count])

    def __add__(self, other: Range) -> Range:
        """The sum, factor by factor; cached (a month's serving plus its reserve, a build
        amortised plus its months: the same cached ranges are added for every answer that
        shares them), except where a -0.0 would be answered with its 0.0 twin."""
        if self.signs_zero or other.signs_zero:
            return _add(self, other)
        return _cached_add(self, other)

    def __neg__(self) -> Range:
        return self.scale(-1.0)

    def __sub__(self, other: Range) -> Range:
        return self + -other

    def scale(self, factor: float) -> Range:
        """The range times `factor`; cached like a sum (a build amortised over the months of
        every series and payback), except for a zero factor or a range that signs a zero."""
        if factor == 0.0 or self.signs_zero:
            return _scale(self, factor)
        return _cached_scale(self, factor)

    def as_dict(self, digits: int = 2) -> dict[str, float]:
        return {
            "low": round(self.low, digits),
            "expected": round(self.expected, digits),
            "high": round(self.high, digits),
        }


def _add(a: Range, b: Range) -> Range:
    moves: dict[str, tuple[float, float]] = {}
    for s in (*a.effects, *b.effects):
        low, high = moves.get(s.factor, (0.0, 0.0))
        moves[s.factor] = (low + s.at_low, high + s.at_high)
    swings = (Swing(f, low, high) for f, (low, high) in moves.items())
    return Range.from_swings(a.expected + b.expected, swings)


_cached_add = lru_cache(maxsize=PER_REQUEST)(_add)


def _scale(r: Range, factor: float) -> Range:
    effects = r.effects
    if factor > 0 and effects == r.swings:  # both scales are homogeneous
        swings = tuple(s.scale(factor) for s in effects)
        return Range(r.low * factor, r.expected * factor, r.high * factor, swings)
    return Range.from_swings(r.expected * factor, (s.scale(factor) for s in effects))


_cached_scale = lru_cache(maxsize=PER_REQUEST)(_scale)


def negative_zero(values: Iterable[float]) -> bool:
    """Whether any value is -0.0 (see `Range.signs_zero`)."""
    return any(v == 0.0 and math.copysign(1.0, v) < 0.0 for v in values)


def _by_factor(s: Swing) -> str:
    return s.factor
