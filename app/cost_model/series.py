"""Cost over time: amortised build, retraining reserve, cumulative series and crossovers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from app.cost_model.cache_sizes import PER_REQUEST
from app.cost_model.constants import Band, load_constants
from app.cost_model.ranges import Range, combine, uncertain

RETRAINS_PER_YEAR = {
    "realtime": 365,
    "daily": 365,
    "weekly": 52,
    "monthly": 12,
    "quarterly": 4,
    "static": 0,
}
"""Retraining runs a year that keep a fine-tuned model as current as its data."""

REFRESHES_PER_MONTH = {
    "realtime": 30.0,
    "daily": 30.0,
    "weekly": 52 / 12,
    "monthly": 1.0,
    "quarterly": 1 / 3,
    "static": 0.0,
}


@dataclass(frozen=True, slots=True)
class ApproachCost:
    """What one approach costs up front and every month."""

    name: str
    build_usd: Range
    serving_usd: Range
    reserve_usd: Range
    monthly_usd: Range = field(init=False)
    """Serving plus the reserve, factor by factor."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "monthly_usd", self.serving_usd + self.reserve_usd)


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    expected: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Crossover:
    approach: str
    versus: str
    month: int


@lru_cache(maxsize=PER_REQUEST)
def retraining_reserve_monthly(build: Range, per_retrain: Range, freshness: str) -> Range:
    """The larger of the seed's reserve (about 2x the initial cost a year) and the cost of
    retraining as often as the data changes."""
    c = load_constants()
    retrains = RETRAINS_PER_YEAR[freshness]

    def monthly(band: Band) -> float:
        reserve = c.get("retraining_reserve_per_year", band) * build.at(band)
        return max(reserve, retrains * per_retrain.at(band)) / 12

    return Range.of(monthly)


def at_month(cost: ApproachCost, month: int) -> Range:
    """Month `month`'s cumulative cost as a range: the build amortised so far plus the months'
    running cost, factor by factor (the same factor in both moves them together)."""
    window = load_constants().get("amortisation_months")
    return cost.build_usd.scale(min(month, window) / window) + cost.monthly_usd.scale(month)


@lru_cache(maxsize=PER_REQUEST)
def cumulative(cost: ApproachCost, months: int) -> Series:
    """Month m's total: the build amortised over its window (so far) plus m months' running
    cost, to the cent, with its P10 to P90 band combined from the factors' swings at each
    month (`at_month`'s range, in one pass)."""
    window = load_constants().get("amortisation_months")
    b, mo = cost.build_usd, cost.monthly_usd
    low, high = _band(b, mo, months, window)
    return Series(cost.name, _points(b.expected, mo.expected, months, window), low, high)


def _band(
    build: Range, monthly: Range, months: int, window: float
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each month's low and high, to the cent: every uncertain factor's swing in the build and
    in a month, added at that month's weights, then combined (ranges.combine; the plan's
    choices are not in the interval)."""
    moves: dict[str, list[float]] = {}
    for s in uncertain(build.effects):
        moves.setdefault(s.factor, [0.0, 0.0, 0.0, 0.0])[0:2] = (s.at_low, s.at_high)
    for s in uncertain(monthly.effects):
        moves.setdefault(s.factor, [0.0, 0.0, 0.0, 0.0])[2:4] = (s.at_low, s.at_high)
    weights = [moves[f] for f in sorted(moves)]
    lows, highs = [], []
    for m in range(1, months + 1):
        share = min(m, window) / window
        expected = build.expected * share + monthly.expected * m
        downs, ups = [], []
        for b_low, b_high, m_low, m_high in weights:
            at_low, at_high = b_low * share + m_low * m, b_high * share + m_high * m
            # max(0.0, -at_low, -at_high) and max(0.0, at_low, at_high) without a call: this
            # runs for every factor of every month of every new line
            down = -at_low if -at_low > 0.0 else 0.0  # noqa: FURB136
            downs.append(-at_high if -at_high > down else down)  # noqa: FURB136
            up = at_low if at_low > 0.0 else 0.0  # noqa: FURB136
            ups.append(at_high if at_high > up else up)  # noqa: FURB136
        low, high = combine(expected, downs, ups)
        lows.append(round(low * 100) / 100)
        highs.append(round(high * 100) / 100)
    return tuple(lows), tuple(highs)


def _points(build: float, monthly: float, months: int, window: float) -> tuple[float, ...]:
    """build * min(window, m) / window + monthly * m, to the cent, for m = 1..months: the
    amortising months and the paid-off months in two runs, without a min() per month.

    Cents by rounding the value times 100 to a whole number: round(x, 2) gives the same cents
    (it differs only on values that sit exactly on a half cent in binary) at a third of the
    cost, and this runs 360 times a recommendation."""
    paid_from = min(months, int(window))
    amortised = [
        round((build * m / window + monthly * m) * 100) / 100 for m in range(1, paid_from + 1)
    ]
    whole = build * window / window
    paid = [round((whole + monthly * m) * 100) / 100 for m in range(paid_from + 1, months + 1)]
    return (*amortised, *paid)


def crossovers(costs: tuple[ApproachCost, ...], series: tuple[Series, ...]) -> list[Crossover]:
    """For each approach that costs more to build than another, the first month its cumulative
    cost is below the other's: when the investment has paid for itself (none if never)."""
    found = []
    for a_cost, a in zip(costs, series, strict=True):
        for b_cost, b in zip(costs, series, strict=True):
            if a is b or a_cost.build_usd.expected <= b_cost.build_usd.expected:
                continue
            month = next(
                (
                    m
                    for m, (x, y) in enumerate(zip(a.expected, b.expected, strict=True), 1)
                    if x < y
                ),
                None,
            )
            if month is not None:
                found.append(Crossover(a.name, b.name, month))
    return found
