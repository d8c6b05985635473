"""Every uncertain factor of the cost model by name: what it is in words, its own band, its unit.

A range (ranges.py) keeps each factor's swing under the factor's name; this says, for a reader,
which factor that is, how uncertain it is on its own, and whether it is a choice the plan
states rather than uncertainty (choices.py). The names:

- a constant of data/constants.toml (`mfu_lora`), labelled by its `label`;
- `gpu_price:<gpu id>`: a GPU's hourly on-demand price (data/gpus.toml's low and high);
- `rag:<setting>`: a retrieval setting of data/prices.toml's [rag];
- `fine_tuned_premium`: a provider's premium for a fine-tuned model's tokens (prices.toml);
- `api_first_token_s:<model>`, `api_per_token_ms:<model>`: an API's published speed;
- `pue`: the data centre's power usage effectiveness (data/energy.toml);
- `managed_runs`: the runs a managed programme takes (its band is the case's own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from app.cost_model.catalogue import load_catalogue
from app.cost_model.choices import CHOICE, RAG, is_choice
from app.cost_model.constants import GPU_PRICE, load_constants
from app.cost_model.energy import PUE, energy_data
from app.cost_model.latency import API_SPEED_FIRST, API_SPEED_STEP, api_speeds
from app.cost_model.managed import MANAGED_RUNS
from app.cost_model.prices import fine_tuned_premium, price_data
from app.cost_model.serving import FINE_TUNED_PREMIUM

RAG_SETTINGS = {
    "retrieved_tokens": ("retrieved context added to each prompt", "tokens"),
    "vector_store_usd_month": ("the vector store's monthly price", "USD a month"),
    "corpus_tokens": ("the size of the corpus retrieved from", "tokens"),
}


@dataclass(frozen=True, slots=True)
class Factor:
    """One uncertain input (or a choice of the plan): its name, what it is in words, and its
    own band (P5, expected, P95) in its unit; no band where it depends on the case."""

    name: str
    label: str
    unit: str
    band: tuple[float, float, float] | None

    @property
    def kind(self) -> str:
        """`choice` for a value the plan states (choices.py), else `uncertain`."""
        return CHOICE if is_choice(self.name) else "uncertain"


def _gpu_price(name: str, gpu_id: str) -> Factor | None:
    g = load_catalogue().gpus.get(gpu_id)
    if g is None:
        return None
    band = (g.usd_per_hour_low, g.usd_per_hour, g.usd_per_hour_high)
    return Factor(name, f"the {g.name}'s hourly price", "USD per GPU-hour", band)


def _rag(name: str, setting: str) -> Factor | None:
    if setting not in RAG_SETTINGS:
        return None
    rag = price_data()["rag"]
    assert isinstance(rag, dict)
    label, unit = RAG_SETTINGS[setting]
    band = (float(rag[f"{setting}_low"]), float(rag[setting]), float(rag[f"{setting}_high"]))
    return Factor(name, label, unit, band)


def _api_speed(name: str, model: str) -> Factor | None:
    speed = api_speeds().get(model)
    if speed is None:
        return None
    first = name.startswith(API_SPEED_FIRST)
    r = speed.first_token_s if first else speed.per_token_ms
    what = "time to first token" if first else "time per output token"
    unit = "seconds" if first else "milliseconds"
    return Factor(name, f"{model}'s published {what}", unit, (r.low, r.expected, r.high))


def _premium(name: str, _: str) -> Factor:
    p = fine_tuned_premium()
    label = "the provider's premium for a fine-tuned model"
    return Factor(name, label, "fraction of the base price", (p.low, p.expected, p.high))


def _pue(name: str, _: str) -> Factor:
    pue = energy_data().pue
    return Factor(name, "the data centre's PUE", "ratio", (pue.low, pue.expected, pue.high))


def _managed_runs(name: str, _: str) -> Factor:
    return Factor(name, "how many training runs the programme takes", "runs", None)


DESCRIBE: dict[str, Callable[[str, str], Factor | None]] = {
    GPU_PRICE: _gpu_price,
    RAG: _rag,
    API_SPEED_FIRST: _api_speed,
    API_SPEED_STEP: _api_speed,
    FINE_TUNED_PREMIUM: _premium,
    PUE: _pue,
    MANAGED_RUNS: _managed_runs,
}
"""How each kind of factor is described, by its name or its name's prefix."""


@lru_cache(maxsize=512)
def factor(name: str) -> Factor:
    """The factor called `name` (an unknown name is described by itself, with no band)."""
    constant = load_constants().table.get(name)
    if constant is not None:
        band = (constant.low, constant.value, constant.high)
        return Factor(name, constant.label, constant.unit, band)
    prefix, colon, key = name.partition(":")
    describe = DESCRIBE.get(prefix + colon)
    found = describe(name, key) if describe is not None else None
    return found or Factor(name, name.replace("_", " "), "", None)
