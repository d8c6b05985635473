"""A run shape's per-token rates and its GPU's hourly price under every band a range probes,
computed once per shape.

A training estimate's time and cost ranges (`gpu_hours_per_experiment`, `per_experiment_usd`,
`per_evaluation_usd`) are `Range.of` a function of the tokens trained: the rates and the price
read under each probed band depend only on the shape (model, GPU, method, layout, sequence
length, test set), never on the dataset size. Recording the factors and re-reading the rates
through their traced cache for every new dataset size was most of a new estimate's cost. Here
each shape pays for that once; a range for another size is the same arithmetic on the stored
rates, in the same order, with the same factors (so the same floats) as `Range.of` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from app.cost_model.bands import Band, Side, quiet, recording
from app.cost_model.constants import hourly_usd
from app.cost_model.ranges import Range, Swing
from app.cost_model.throughput import RunRates, RunShape, run_rates


@dataclass(frozen=True, slots=True)
class Probe:
    """The rates and the hourly price with one factor alone at its low and at its high."""

    factor: str
    low: RunRates
    low_usd_per_hour: float
    high: RunRates
    high_usd_per_hour: float


@dataclass(frozen=True, slots=True)
class BandRates:
    """What `Range.of` reads for one shape: the expected rates and price, the factors the
    rates read (a time), those the rates and the price read (a cost), and each probe."""

    rates: RunRates
    usd_per_hour: float
    time_factors: tuple[str, ...]
    """Sorted, as `Range.of` probes them: the factors of the hours alone."""
    probes: tuple[Probe, ...]
    """Sorted by factor: every factor of the hours times the price."""

    def hours_range(self, hours: Callable[[RunRates], float]) -> Range:
        """`Range.of(lambda b: hours(run_rates(shape, b)))`, from the stored rates."""
        expected = hours(self.rates)
        swings = [
            Swing(p.factor, hours(p.low) - expected, hours(p.high) - expected)
            for p in self.probes
            if p.factor in self.time_factors
        ]
        return Range.from_swings(expected, swings)

    def usd_range(self, hours: Callable[[RunRates], float]) -> Range:
        """`Range.of(lambda b: hours(run_rates(shape, b)) * hourly_usd(gpu, b))`."""
        expected = hours(self.rates) * self.usd_per_hour
        swings = [
            Swing(
                p.factor,
                hours(p.low) * p.low_usd_per_hour - expected,
                hours(p.high) * p.high_usd_per_hour - expected,
            )
            for p in self.probes
        ]
        return Range.from_swings(expected, swings)


@lru_cache(maxsize=4096)
def band_rates(shape: RunShape) -> BandRates:
    """The shape's rates and price under each band its ranges probe (cached per shape; the
    cost model's caches are cleared together, so a new catalogue rebuilds them)."""
    with recording() as time_reads:
        rates = run_rates(shape, Band.expected)
    with recording() as reads:
        run_rates(shape, Band.expected)
        usd_per_hour = hourly_usd(shape.gpu, Band.expected)
    probes = []
    with quiet():  # the probes read the same factors; nobody outside needs them
        for factor in sorted(reads):
            low, high = Band.only(factor, Side.low), Band.only(factor, Side.high)
            probes.append(
                Probe(
                    factor,
                    run_rates(shape, low),
                    hourly_usd(shape.gpu, low),
                    run_rates(shape, high),
                    hourly_usd(shape.gpu, high),
                )
            )
    return BandRates(rates, usd_per_hour, tuple(sorted(time_reads)), tuple(probes))
