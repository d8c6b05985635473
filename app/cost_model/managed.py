"""Managed fine-tuning services priced as data: a provider trains and serves the fine-tuned model.

A team without ML engineers should not run fine-tuning itself (product spec policy 5), but it
can buy it. Each provider prices LoRA training per token by the model's size (or per model) and
counts the tokens its own way (data/managed_fine_tuning.toml `billing`), then serves the model
per token or on a dedicated deployment billed by the GPU-hour whether it is used or not. The
quote costs what the provider would bill; serving prices that genai-prices already has are read
from it, never copied. The providers' dated notices and announced end dates sit beside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.cost_model.bands import Band
from app.cost_model.catalogue import ModelSpec, read_data
from app.cost_model.constants import load_constants
from app.cost_model.fleet import cheapest_fleet
from app.cost_model.prices import provider_price
from app.cost_model.ranges import Range
from app.cost_model.self_hosting import Traffic

MANAGED_RUNS = "managed_runs"
"""How many runs a managed programme takes (the plan's fewest to most experiments), a factor."""

OWN_MODEL = "own"
"""An offer's `tunes` when it fine-tunes the provider's own model, whatever the plan's."""


@dataclass(frozen=True, slots=True)
class Offer:
    """One provider's managed fine-tuning, resolved for one model."""

    id: str
    provider: str
    model: str
    """The model it fine-tunes and serves, in words."""
    tunes: str
    """The catalogue model id it fine-tunes, or `own` for the provider's own model."""
    open_weights: bool
    training_usd_per_mtok: float
    tier: str
    """Which of the provider's prices applies, in words ("models up to 16B")."""
    billing: str
    training_source: str
    serving: str
    serving_source: str
    as_of: str
    serving_ref: tuple[str, str] | None = None
    serving_input_usd_per_mtok: float | None = None
    serving_output_usd_per_mtok: float | None = None
    serving_gpu: str | None = None
    serving_usd_per_gpu_hour: float | None = None
    packing: bool = True
    max_seq_length: int = 0
    evaluations: int = 0
    closed_to_new_teams: str | None = None
    """Why a team starting now cannot buy it (the provider's own dated words), if so."""


@dataclass(frozen=True, slots=True)
class Notice:
    """A provider's dated statement about retiring fine-tuned models or fine-tuning itself."""

    provider: str
    date: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class EndDate:
    """An announced date after which the models listed stop being served as priced."""

    provider: str
    date: str
    what: str
    models: tuple[str, ...]
    source: str
    successors: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ManagedData:
    version: str
    read: str
    offers: tuple[dict[str, Any], ...]
    """The providers' rows as written; `offers_for` resolves them for a model."""
    notices: tuple[Notice, ...]
    end_dates: tuple[EndDate, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    """One offer priced for one case: a programme of training runs, then a month of serving."""

    offer: Offer
    examples: int
    epochs: float
    training_tokens_per_run: int
    """Training examples x tokens x epochs: what the run trains on."""
    billed_tokens_per_run: int
    """What the provider bills a run for, by its own rule (packing, evaluations)."""
    runs: Range
    per_run_usd: float
    """Training one run plus scoring the locked test set, expected."""
    build_usd: Range
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    serving_gpus: int
    """GPUs of a dedicated deployment (0 when served per token)."""
    monthly_usd: float


@cache
def managed_data() -> ManagedData:
    doc = read_data("managed_fine_tuning.toml")
    return ManagedData(
        version=str(doc["version"]),
        read=str(doc["read"]),
        offers=tuple(doc["offers"]),
        notices=tuple(Notice(**{k: str(v) for k, v in row.items()}) for row in doc["notices"]),
        end_dates=tuple(
            EndDate(
                str(e["provider"]),
                str(e["date"]),
                str(e["what"]),
                tuple(e["models"]),
                str(e["source"]),
                tuple(sorted(e.get("successors", {}).items())),
            )
            for e in doc.get("end_dates", ())
        ),
    )


def _price_row(row: dict[str, Any], model: ModelSpec) -> tuple[dict[str, Any], str] | None:
    """The provider's price that applies to `model`, and its tier in words; None if none."""
    prices = row["prices"]
    if row["tunes"] == OWN_MODEL:
        return prices[0], "its own model"
    if row["tunes"] == "listed":
        hit = next((p for p in prices if p.get("model") == model.id), None)
        return (hit, f"{model.name}'s price") if hit else None
    if not model.open_weights:
        return None
    for p in sorted(prices, key=lambda p: float(p["up_to_b"])):
        if model.params_b <= float(p["up_to_b"]):
            return p, f"models up to {float(p['up_to_b']):g}B parameters"
    return None


def _offer(row: dict[str, Any], model: ModelSpec) -> Offer | None:
    found = _price_row(row, model)
    if found is None:
        return None
    price, tier = found
    own = row["tunes"] == OWN_MODEL
    ref = row.get("serving_ref")
    return Offer(
        id=str(row["id"]),
        provider=str(row["provider"]),
        model=str(row["model"]) if own else model.name,
        tunes=OWN_MODEL if own else model.id,
        open_weights=bool(row["open_weights"]),
        training_usd_per_mtok=float(price["training_usd_per_mtok"]),
        tier=tier,
        billing=str(row["billing"]),
        training_source=str(row["training_source"]),
        serving=str(row["serving"]),
        serving_source=str(row["serving_source"]),
        as_of=str(row["as_of"]),
        serving_ref=(str(ref[0]), str(ref[1])) if ref else None,
        serving_input_usd_per_mtok=price.get("serving_input_usd_per_mtok"),
        serving_output_usd_per_mtok=price.get("serving_output_usd_per_mtok"),
        serving_gpu=row.get("serving_gpu"),
        serving_usd_per_gpu_hour=row.get("serving_usd_per_gpu_hour"),
        packing=bool(row.get("packing", True)),
        max_seq_length=int(row.get("max_seq_length", 0)),
        evaluations=int(row.get("evaluations", 0)),
        closed_to_new_teams=row.get("closed_to_new_teams"),
    )


def offers_for(model: ModelSpec) -> tuple[Offer, ...]:
    """Every provider's offer for a plan on `model`: its own model's, and the providers' own."""
    found = (_offer(row, model) for row in managed_data().offers)
    return tuple(o for o in found if o is not None)


def billed_tokens(
    offer: Offer, *, examples: int, tokens_per_example: int, epochs: float, test_set: int
) -> int:
    """The tokens the provider bills one run for. Together AI: epochs x training tokens plus
    evaluations x validation tokens, every example at the maximum sequence length when
    packing is off; the others: the dataset's tokens x epochs."""
    if offer.billing != "together":
        return round(examples * tokens_per_example * epochs)
    per_example = tokens_per_example if offer.packing else max(offer.max_seq_length, 1)
    return round(epochs * examples * per_example + offer.evaluations * test_set * per_example)


def per_token_usd(traffic: Traffic, input_usd_per_mtok: float, output_usd_per_mtok: float) -> float:
    """A month of `traffic` at these per-million prices."""
    per_request = traffic.input_tokens * input_usd_per_mtok + traffic.output_tokens * (
        output_usd_per_mtok
    )
    return per_request * traffic.monthly_requests / 1e6


def serving_prices(offer: Offer, traffic: Traffic) -> tuple[float, float]:
    """The fine-tuned model's dollars per million input and output tokens (0 when it is billed
    by the GPU-hour on a dedicated deployment instead)."""
    if offer.serving_ref is not None:
        provider, model = offer.serving_ref
        p = provider_price(provider, model, traffic.input_tokens, traffic.output_tokens)
        return p.input_usd_per_mtok, p.output_usd_per_mtok
    return offer.serving_input_usd_per_mtok or 0.0, offer.serving_output_usd_per_mtok or 0.0


def dedicated_gpus(offer: Offer, model: ModelSpec, traffic: Traffic) -> int:
    """GPUs of the dedicated deployment that carries the busy hour, always on, sized like a
    self-hosted fleet on the provider's GPU (at least one replica)."""
    assert offer.serving_gpu is not None
    plan = cheapest_fleet(model, traffic, 1, Band.expected, only_gpu=offer.serving_gpu)
    return plan.gpus if plan is not None else 0


def quote(
    offer: Offer,
    model: ModelSpec,
    traffic: Traffic,
    *,
    examples: int,
    tokens_per_example: int,
    runs: Range,
    test_set: int,
) -> Quote:
    """The offer for this case: `runs` training runs billed as the provider counts tokens, each
    also scoring the locked test set on the fine-tuned model and the baseline, then the month's
    serving: per token, or a dedicated deployment's GPU-hours whether used or not."""
    c = load_constants()
    epochs = c.get("epochs")
    tokens = round(examples * tokens_per_example * epochs)
    billed = billed_tokens(
        offer,
        examples=examples,
        tokens_per_example=tokens_per_example,
        epochs=epochs,
        test_set=test_set,
    )
    pin, pout = serving_prices(offer, traffic)
    gpus, monthly = 0, per_token_usd(traffic, pin, pout)
    scored = round(test_set * c.get("eval_models"))
    scoring_usd = per_token_usd(
        Traffic(scored, traffic.input_tokens, traffic.output_tokens), pin, pout
    )
    if offer.serving == "dedicated":
        assert offer.serving_usd_per_gpu_hour is not None
        gpus = dedicated_gpus(offer, model, traffic)
        hourly = gpus * offer.serving_usd_per_gpu_hour
        monthly = hourly * c.get("hours_per_month")
        scoring_usd = hourly * math.ceil(c.get("eval_models"))  # an hour's deployment a run
    per_run = billed * offer.training_usd_per_mtok / 1e6 + scoring_usd
    return Quote(
        offer=offer,
        examples=examples,
        epochs=epochs,
        training_tokens_per_run=tokens,
        billed_tokens_per_run=billed,
        runs=runs,
        per_run_usd=per_run,
        build_usd=runs.scale(per_run),
        input_usd_per_mtok=pin,
        output_usd_per_mtok=pout,
        serving_gpus=gpus,
        monthly_usd=monthly,
    )
