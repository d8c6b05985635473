"""Energy and estimated emissions of GPU work: board power x GPU-hours x PUE, then x the grid.

People ask what a training programme or a month of self-hosted serving uses. The figure is an
estimate with its assumptions in the open (data/energy.toml): every GPU is taken to draw its
board power for every GPU-hour (the top of what it draws), the building adds its PUE, and the
electricity carries the world-average carbon intensity. The range combines the GPU-hours'
factors and the PUE as independent factors (ranges.py); the grid's intensity is one cited
figure that a reader can rescale.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from app.cost_model.catalogue import read_data
from app.cost_model.ranges import Range

PUE = "pue"
"""The data centre's power usage effectiveness, as a factor."""


@dataclass(frozen=True, slots=True)
class EnergyData:
    version: str
    read: str
    board_power_w: dict[str, float]
    board_power_source: dict[str, str]
    pue: Range
    pue_source: str
    grid_gco2e_per_kwh: float
    grid_source: str


@dataclass(frozen=True, slots=True)
class Footprint:
    """One piece of GPU work: its GPU-hours, energy and emissions, each low/expected/high."""

    gpu: str
    board_power_w: float
    gpu_hours: Range
    kwh: Range
    co2e_kg: Range


@cache
def energy_data() -> EnergyData:
    doc = read_data("energy.toml")
    pue, grid = doc["pue"], doc["grid"]
    return EnergyData(
        version=str(doc["version"]),
        read=str(doc["read"]),
        board_power_w={k: float(v) for k, v in doc["board_power_w"].items()},
        board_power_source={k: str(v) for k, v in doc["board_power_source"].items()},
        pue=Range.factor(PUE, float(pue["low"]), float(pue["expected"]), float(pue["high"])),
        pue_source=str(pue["source"]),
        grid_gco2e_per_kwh=float(grid["gco2e_per_kwh"]),
        grid_source=str(grid["source"]),
    )


def kwh(board_power_w: float, gpu_hours: float, pue: float) -> float:
    """The facility energy of `gpu_hours` at `board_power_w` each, in kWh."""
    return board_power_w * gpu_hours * pue / 1000.0


def footprint(gpu: str, gpu_hours: Range) -> Footprint:
    """The energy and emissions of `gpu_hours` on catalogue GPU `gpu`: the hours' factors and
    the PUE combined as independent factors. Cached (a month of serving recurs unchanged),
    save for hours that sign a zero (`Range.signs_zero`)."""
    return _footprint(gpu, gpu_hours) if gpu_hours.signs_zero else _cached(gpu, gpu_hours)


def _footprint(gpu: str, gpu_hours: Range) -> Footprint:
    data = energy_data()
    watts = data.board_power_w[gpu]
    energy = Range.of(lambda b: kwh(watts, gpu_hours.at(b), data.pue.at(b)))
    return Footprint(gpu, watts, gpu_hours, energy, energy.scale(data.grid_gco2e_per_kwh / 1000.0))


_cached = lru_cache(maxsize=1024)(_footprint)
