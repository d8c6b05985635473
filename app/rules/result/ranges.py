"""A dollar range as the API gives it: the interval, its drivers, and whether it is exact."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, cast

from pydantic import Field, computed_field

from app.cost_model.cache_sizes import PER_REQUEST
from app.cost_model.factors import factor
from app.cost_model.ranges import Range, Swing, negative_zero
from app.rules.result import Result, Usd


class Driver(Result):
    """One factor behind a range: its own band, and how far it alone moves the figure."""

    factor: str = Field(
        description="the factor's name: a cost-model constant (`mfu_lora`, see /method), "
        "`gpu_price:<gpu id>`, `rag:<setting>`, `fine_tuned_premium`, "
        "`api_first_token_s:<model>`, `api_per_token_ms:<model>`, `pue` or `managed_runs`"
    )
    label: str = Field(description="the factor in words")
    kind: Literal["uncertain", "choice"] = Field(
        "uncertain",
        description="`uncertain`: part of the interval; `choice`: a value the plan states (the "
        "retrieved context per prompt, the vector store), whose band is what another choice "
        "would change: listed as what the figure depends on, not in the interval",
    )
    unit: str = Field(description="the unit of the factor's own band")
    low: float | None = Field(
        description="the factor's own low, the lowest of its sources, read as its P5; null "
        "where its band is the case's own"
    )
    expected: float | None = Field(description="the factor's expected value")
    high: float | None = Field(
        description="the factor's own high, the highest of its sources, read as its P95"
    )
    usd_at_low: Usd = Field(
        description="how far this factor alone at its low moves the figure (every other "
        "factor expected): negative when it lowers it"
    )
    usd_at_high: Usd = Field(description="the same, with the factor at its high")

    @classmethod
    def of(cls, swing: Swing) -> Driver:
        """The swing as a driver; cached (a result is frozen, and the same swing recurs in
        every recommendation whose figure shares the factor and its effect)."""
        if negative_zero((swing.at_low, swing.at_high)):  # equal to 0.0, printed apart
            return cls._of(swing)
        return _driver(swing)

    @classmethod
    def _of(cls, swing: Swing) -> Driver:
        f = factor(swing.factor)
        low, expected, high = f.band if f.band is not None else (None, None, None)
        return cls(
            factor=f.name,
            label=f.label,
            kind=cast("Literal['uncertain', 'choice']", f.kind),
            unit=f.unit,
            low=low,
            expected=expected,
            high=high,
            usd_at_low=round(swing.at_low, 2),
            usd_at_high=round(swing.at_high, 2),
        )


DRIVERS = 3
"""The factors a range lists: the three that move it most."""


class UsdRange(Result):
    """An estimate and its interval: P10 to P90 of its independent uncertain factors, each
    factor's own band (the extremes of its sources) read as its P5 and P95 and the factors
    combined as independent (the cost model's ranges.py), with the factors that move it most;
    the plan's own choices are among the drivers but not in the interval."""

    low: Usd = Field(description="the interval's low end (P10)")
    expected: Usd = Field(description="the estimate with every factor at its expected value")
    high: Usd = Field(description="the interval's high end (P90)")
    drivers: tuple[Driver, ...] = Field(
        (),
        description="the factors that move the figure most, largest first (at most three), "
        "choices (`kind`) included",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_exact(self) -> bool:
        """The range is its figure (no uncertain factor moves it): print the figure alone."""
        return self.low == self.expected == self.high

    @classmethod
    def of(cls, r: Range, expected: float | None = None) -> UsdRange:
        """`r` to the cent; `expected` replaces its expected value (the interval moves with it)
        where the same figure is computed another way to the last bit. Cached: a result is
        frozen, and most of a recommendation's ranges (serving, retrieval, the status quo) do
        not move with the answers that change most."""
        if r.signs_zero or (expected is not None and negative_zero((expected,))):
            return cls._of(r, expected)  # equal to its 0.0 twin, but printed apart
        return _usd_range(r, expected)

    @classmethod
    def _of(cls, r: Range, expected: float | None) -> UsdRange:
        shift = 0.0 if expected is None else expected - r.expected
        return cls(
            low=round(r.low + shift, 2),
            expected=round(r.expected + shift, 2),
            high=round(r.high + shift, 2),
            drivers=tuple(Driver.of(s) for s in r.drivers(DRIVERS) if round(s.size, 2) > 0),
        )


@lru_cache(maxsize=PER_REQUEST)
def _driver(swing: Swing) -> Driver:
    return Driver._of(swing)  # noqa: SLF001  # the uncached maker, kept beside the class


@lru_cache(maxsize=PER_REQUEST)
def _usd_range(r: Range, expected: float | None) -> UsdRange:
    return UsdRange._of(r, expected)  # noqa: SLF001
