"""Which value of each uncertain factor a computation reads, and which factors it read.

Every uncertain input of the cost model (a constant of data/constants.toml, a GPU's hourly
price, a retrieval setting, the fine-tuned model's premium, an API's published speed) is a
*factor* with its own band: a low, an expected and a high value, read as its P5, its best
estimate and its P95 (ranges.py reports P10 to P90). A computation takes a `Band`, which says
which value each factor gives: every factor at its expected value (`Band.expected`), one
factor alone at its low or high (`Band.only`), or, for a bound rather than an estimate, every
factor at once (`Band.low`, `Band.high`). Functions keep one `band` parameter whatever the
probe.

While a range is being made (ranges.py), the factors its function reads are recorded, so that
only those are probed. A cached function would hide its reads on a cache hit, so functions
that take a band are cached with `traced_cache`, which remembers the reads with the value and
answers a probe of a factor the computation never reads with its expected value at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache, wraps
from typing import Any, ClassVar, ParamSpec, Protocol, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Side(StrEnum):
    low = "low"
    expected = "expected"
    high = "high"


_READS: ContextVar[set[str] | None] = ContextVar("tunewise_factor_reads", default=None)


def note(factors: Iterable[str]) -> None:
    """Record factors read by the computation under way (if a range is being made)."""
    reads = _READS.get()
    if reads is not None:
        reads.update(factors)


class recording:  # noqa: N801  # a context manager, used as `with recording() as reads`
    """Collect the factors read inside the block (a nested block collects its own). A class,
    not a generator: every miss of a traced cache opens one."""

    __slots__ = ("_token",)

    def __enter__(self) -> set[str]:
        reads: set[str] = set()
        self._token = _READS.set(reads)
        return reads

    def __exit__(self, *_: object) -> None:
        _READS.reset(self._token)


class quiet:  # noqa: N801  # a context manager, like `recording`
    """Record nothing inside the block: a range's probes read the factors its expected value
    already recorded, and nobody outside needs them, so noting them would be wasted work (a
    nested `recording` still collects its own). A class, not a generator: it runs for every
    range made."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _READS.set(None)

    def __exit__(self, *_: object) -> None:
        _READS.reset(self._token)


@dataclass(frozen=True, slots=True)
class Band:
    """Which value each factor gives: `side` for `factor` alone, every other factor expected;
    with no `factor`, `side` for every factor at once (the stacked extremes: a bound)."""

    side: Side = Side.expected
    factor: str | None = None

    low: ClassVar[Band]
    expected: ClassVar[Band]
    high: ClassVar[Band]

    @classmethod
    def only(cls, factor: str, side: Side) -> Band:
        return cls(side, factor)

    def choose(self, factor: str, low: float, expected: float, high: float) -> float:
        """The value of `factor` (band low, expected, high) under this band. A factor whose
        band is one value is certain: it is not recorded, so it is never probed."""
        if low != expected or high != expected:
            reads = _READS.get()
            if reads is not None:
                reads.add(factor)
        if self.factor is not None and self.factor != factor:
            return expected
        side = self.side
        if side is Side.low:
            return low
        if side is Side.high:
            return high
        return expected


Band.low = Band(Side.low)
Band.expected = Band(Side.expected)
Band.high = Band(Side.high)


class Traced(Protocol[P, R_co]):
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...

    def cache_clear(self) -> None: ...


def traced_cache(maxsize: int | None) -> Callable[[Callable[P, R]], Traced[P, R]]:
    """lru_cache for a function of a band: a hit replays the factors the call read, and a
    probe of a factor the expected call never read is answered by the expected value (the
    computation takes the same path and reads the same values). The function names its band
    `band` (positional or by keyword): a function without one fails at decoration."""

    def decorate(fn: Callable[P, R]) -> Traced[P, R]:
        at = list(inspect.signature(fn).parameters).index("band")

        @lru_cache(maxsize=maxsize)
        def evaluate(*args: Any, **kwargs: Any) -> tuple[R, frozenset[str]]:
            with recording() as reads:
                value = fn(*args, **kwargs)
            return value, frozenset(reads)

        @wraps(fn)
        def traced(*args: Any, **kwargs: Any) -> R:
            # The band is found by its parameter's position, not by scanning the arguments:
            # this runs on every call of every traced function.
            positional = len(args) > at
            band = args[at] if positional else kwargs.get("band", Band.expected)
            factor = band.factor
            if factor:  # a probe of one factor: is it one the expected computation reads?
                if positional:
                    value, reads = evaluate(*args[:at], Band.expected, *args[at + 1 :], **kwargs)
                else:
                    value, reads = evaluate(*args, **{**kwargs, "band": Band.expected})
                if factor not in reads:
                    note(reads)
                    return value
            value, reads = evaluate(*args, **kwargs)
            note(reads)
            return value

        traced.cache_clear = evaluate.cache_clear  # type: ignore[attr-defined]
        return cast("Traced[P, R]", traced)

    return decorate
