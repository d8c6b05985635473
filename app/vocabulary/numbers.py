"""Numbers for people: money, counts, tokens, hours, memory and percentages, one rule each.

Money has one rule for cents everywhere: amounts under $100 that are not whole dollars show
their cents ($5.23, $97.40), everything else whole dollars ($12, $1,234). Below $100 the cents
are part of what a reader compares (a $4.80 run against a $5.10 one); above it they are noise.
"""

from __future__ import annotations

import math

CENTS_BELOW = 100.0
"""Show cents for amounts under this many dollars (when they are not whole dollars)."""


def usd(value: float | None) -> str:
    """$5.23, $97.40, $12, $1,234, -$1,234; n/a for a missing figure."""
    if value is None or math.isnan(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    amount = abs(value)
    cents = round(amount * 100)
    if amount < CENTS_BELOW and cents % 100:
        return f"{sign}${cents / 100:,.2f}"
    return f"{sign}${round(amount):,}"


def usd_exact(value: float) -> str:
    """Dollars to the cent, without ".00" on whole amounts: for a bound that must be true to
    the cent (a budget counterfactual: "with a budget of at least $4,201.37")."""
    return f"${value:,.2f}".removesuffix(".00")


def usd_compact(value: float) -> str:
    """$950, $12k, $1.5M: chart axis ticks a reader takes in at a glance."""
    magnitude = abs(value)
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if magnitude >= size:
            return "$" + f"{value / size:,.1f}".removesuffix(".0") + suffix
    return f"${value:,.0f}"


def usd_range(low: float, high: float) -> str:
    """'$40 to $95'; a single figure when the two are the same once formatted."""
    lo, hi = usd(low), usd(high)
    return lo if lo == hi else f"{lo} to {hi}"


def count(value: float) -> str:
    """Whole things with thousands separators: 5,000; fractions keep up to two places."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def plural(n: float, one: str, many: str | None = None) -> str:
    """'1 GPU', '2 GPUs', '1 replica', '3 replicas': never 'GPU(s)'."""
    word = one if n == 1 else (many or one + "s")
    return f"{count(n)} {word}"


def tokens(value: float) -> str:
    """Token counts: 1,000 tokens; 1.5M tokens; 12B tokens."""
    for size, suffix in ((1e9, "B"), (1e6, "M")):
        if abs(value) >= size:
            return f"{value / size:,.1f}".removesuffix(".0") + f"{suffix} tokens"
    return plural(value, "token")


def hours(value: float) -> str:
    """GPU-hours and the like: one decimal under 10, whole hours above."""
    if value < 10:  # precision of the figure, not a threshold
        return f"{value:,.1f}".removesuffix(".0") + (" hour" if value == 1 else " hours")
    return f"{round(value):,} hours"


def gigabytes(value: float) -> str:
    """74.9 GB, 40 GB: a whole figure without ".0", which reads as a raw float."""
    return f"{value:,.1f}".removesuffix(".0") + " GB"


def per_second(value: float, what: str) -> str:
    return f"{value:,.1f}".removesuffix(".0") + f" {what} a second"


def percent(fraction: float) -> str:
    """A fraction as a whole percentage: 0.2 -> '20%'."""
    return f"{round(fraction * 100):,}%"


def ms(value: float) -> str:
    """Answer times: 85 ms and 950 ms under a second, then 1.2 s under ten, then 35 s, 1,200 s.

    Milliseconds are the unit a latency target is asked in; past a second a reader compares
    seconds, and the tenths stop mattering past ten."""
    if round(value) < 1000:  # a second, in milliseconds
        return f"{max(1, round(value)):,} ms"
    if value < 10_000:  # ten seconds: past it the tenths are noise
        return f"{value / 1000:.1f}".removesuffix(".0") + " s"
    return f"{round(value / 1000):,} s"


def ms_range(low: float, high: float) -> str:
    """'450 ms to 1.2 s'; one figure when the two read the same."""
    lo, hi = ms(low), ms(high)
    return lo if lo == hi else f"{lo} to {hi}"


def saving_range(low: float, high: float) -> str:
    """A saving's range in words, where a negative saving is money spent: "range $1,200 to
    $5,400", "range $300 to $900 more", "range: from $300 more to $5,400 saved"."""
    if low >= 0:
        return f"range {usd(low)} to {usd(high)}"
    if high <= 0:
        return f"range {usd(-high)} to {usd(-low)} more"
    return f"range: from {usd(-low)} more to {usd(high)} saved"


def amount(value: float, unit: str) -> str:
    """Energy and mass for people: one decimal under 10, whole numbers above (53 kWh, 8.8 kg)."""
    if abs(value) < 10:  # precision of the figure, not a threshold
        return f"{value:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{round(value):,} {unit}"


def amount_range(low: float, high: float, unit: str) -> str:
    lo, hi = amount(low, unit), amount(high, unit)
    return lo if lo == hi else f"{lo} to {hi}"


def usd_about(value: float) -> str:
    """A figure a reader carries into a meeting: two significant figures ($26,000, $1,000)."""
    if abs(value) < 100:  # under $100 the dollars are already few
        return usd(round(value))
    digits = len(str(int(abs(value)))) - 2
    return usd(round(value, -digits))
