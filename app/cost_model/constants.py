"""Named, cited constants with a low / expected / high value each (data/constants.toml).

Each constant with a band is one uncertain factor of the cost model, as is each GPU's hourly
price (its catalogue low and high): a band's low and high are read as the factor's P5 and P95
(bands.py says how an estimate picks them, ranges.py how they are combined)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from app.cost_model.bands import Band, Side
from app.cost_model.catalogue import GpuSpec, read_data

__all__ = [
    "GPU_PRICE",
    "Band",
    "Constant",
    "Constants",
    "Side",
    "gpu_price_factor",
    "hourly_usd",
    "load_constants",
]

GPU_PRICE = "gpu_price:"
"""A GPU's hourly price as a factor: `gpu_price:<gpu id>`."""


def gpu_price_factor(gpu_id: str) -> str:
    return f"{GPU_PRICE}{gpu_id}"


@dataclass(frozen=True, slots=True)
class Constant:
    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    label: str
    """The constant in words, as a range's drivers name it."""
    kind: str = "uncertain"
    """`choice` where the plan states the value (choices.py): a driver, not in an interval."""

    def at(self, band: Band) -> float:
        return band.choose(self.name, self.low, self.value, self.high)


def hourly_usd(gpu: GpuSpec, band: Band) -> float:
    """A GPU's on-demand price for one band of an estimate (its catalogue low, expected, high)."""
    factor = gpu_price_factor(gpu.id)
    return band.choose(factor, gpu.usd_per_hour_low, gpu.usd_per_hour, gpu.usd_per_hour_high)


@dataclass(frozen=True, slots=True)
class Constants:
    version: str
    table: dict[str, Constant]

    def get(self, name: str, band: Band = Band.expected) -> float:
        """`table[name].at(band)`, one call shorter: this runs on every step of every model."""
        c = self.table[name]
        return band.choose(name, c.low, c.value, c.high)


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
            label=str(row.get("label", name.replace("_", " "))),
            kind=str(row.get("kind", "uncertain")),
        )
        for name, row in sorted(doc.items())
    }
    return Constants(version=version, table=table)
