"""Named, cited constants with a low / expected / high value each (data/constants.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from app.cost_model.catalogue import GpuSpec, read_data


class Band(StrEnum):
    """Which value of each constant an estimate uses: the expected one is what checks compare."""

    low = "low"
    expected = "expected"
    high = "high"


@dataclass(frozen=True, slots=True)
class Constant:
    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str

    def at(self, band: Band) -> float:
        if band is Band.low:
            return self.low
        if band is Band.high:
            return self.high
        return self.value


def hourly_usd(gpu: GpuSpec, band: Band) -> float:
    """A GPU's on-demand price for one band of an estimate (its catalogue low, expected, high)."""
    if band is Band.low:
        return gpu.usd_per_hour_low
    if band is Band.high:
        return gpu.usd_per_hour_high
    return gpu.usd_per_hour


@dataclass(frozen=True, slots=True)
class Constants:
    version: str
    table: dict[str, Constant]

    def get(self, name: str, band: Band = Band.expected) -> float:
        return self.table[name].at(band)


@cache
def load_constants() -> Constants:
    doc = read_data("constants.toml")
    version = str(doc.pop("version"))
    table = {
        name: Constant(
            name=name,
            value=float(row["value"]),
            low=float(row["low"]),
            high=float(row["high"]),
            unit=str(row["unit"]),
            source=str(row["source"]),
        )
        for name, row in sorted(doc.items())
    }
    return Constants(version=version, table=table)
