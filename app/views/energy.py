"""The energy estimate as the page (inside a collapsed section) and the report's appendix
print it: one row per piece of GPU work, then the assumptions with their sources."""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.result import Recommendation
from app.rules.result.extras import Footprint
from app.vocabulary import numbers, words


@dataclass(frozen=True, slots=True)
class EnergyRow:
    key: str
    """`training` or `serving`, for the page's bindings; never printed."""
    what: str
    power: str
    gpu_hours: str
    kwh: str
    co2e: str


def _row(key: str, f: Footprint) -> EnergyRow:
    return EnergyRow(
        key=key,
        what=f.what[:1].upper() + f.what[1:],
        power=f"{words.gpus(f.gpu, f.gpus)} at {numbers.amount(f.board_power_w, 'W')} each",
        gpu_hours=numbers.hours(f.gpu_hours.expected)
        + (
            ""
            if f.gpu_hours.low == f.gpu_hours.high
            else f" ({numbers.hours(f.gpu_hours.low)} to {numbers.hours(f.gpu_hours.high)})"
        ),
        kwh=f"{numbers.amount(f.kwh.expected, 'kWh')} "
        f"({numbers.amount_range(f.kwh.low, f.kwh.high, 'kWh')})",
        co2e=f"{numbers.amount(f.co2e_kg.expected, 'kg')} "
        f"({numbers.amount_range(f.co2e_kg.low, f.co2e_kg.high, 'kg')})",
    )


def energy_rows(r: Recommendation) -> tuple[EnergyRow, ...]:
    e = r.energy
    if e is None:
        return ()
    pieces = (("training", e.training), ("serving", e.serving_month))
    return tuple(_row(key, f) for key, f in pieces if f is not None)


def energy_assumptions(r: Recommendation) -> tuple[str, ...]:
    return () if r.energy is None else r.energy.assumptions
