"""Managed fine-tuning services priced as data: a provider trains and serves the fine-tuned model.

A team without ML engineers should not run fine-tuning itself (product spec policy 5), but it
can buy it: the provider charges per training token (dataset tokens x epochs) and then serves
the fine-tuned model per token. The offers, their prices and the providers' dated notices about
retiring fine-tuned models are in data/managed_fine_tuning.toml; serving prices that the
genai-prices dataset already has are read from it, never copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from app.cost_model.catalogue import read_data
from app.cost_model.constants import load_constants
from app.cost_model.prices import provider_price
from app.cost_model.ranges import Range
from app.cost_model.self_hosting import Traffic

MANAGED_RUNS = "managed_runs"
"""How many runs a managed programme takes (the plan's fewest to most experiments), a factor."""

ANY_MODEL = "any"
"""An offer's `tunes` when it fine-tunes the provider's own model, whatever the plan's."""


@dataclass(frozen=True, slots=True)
class Offer:
    id: str
    provider: str
    model: str
    tunes: str
    open_weights: bool
    training_usd_per_mtok: float
    training_source: str
    serving_source: str
    as_of: str
    serving_ref: tuple[str, str] | None = None
    serving_input_usd_per_mtok: float | None = None
    serving_output_usd_per_mtok: float | None = None
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
class ManagedData:
    version: str
    read: str
    offers: tuple[Offer, ...]
    notices: tuple[Notice, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    """One offer priced for one case: a programme of training runs, then a month of serving."""

    offer: Offer
    examples: int
    epochs: float
    training_tokens_per_run: int
    runs: Range
    per_run_usd: float
    """Training one run plus scoring the locked test set, expected."""
    build_usd: Range
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    monthly_usd: float


def _offer(row: dict[str, Any]) -> Offer:
    ref = row.get("serving_ref")
    return Offer(
        id=str(row["id"]),
        provider=str(row["provider"]),
        model=str(row["model"]),
        tunes=str(row["tunes"]),
        open_weights=bool(row["open_weights"]),
        training_usd_per_mtok=float(row["training_usd_per_mtok"]),
        training_source=str(row["training_source"]),
        serving_source=str(row["serving_source"]),
        as_of=str(row["as_of"]),
        serving_ref=(str(ref[0]), str(ref[1])) if ref else None,
        serving_input_usd_per_mtok=row.get("serving_input_usd_per_mtok"),
        serving_output_usd_per_mtok=row.get("serving_output_usd_per_mtok"),
        closed_to_new_teams=row.get("closed_to_new_teams"),
    )


@cache
def managed_data() -> ManagedData:
    doc = read_data("managed_fine_tuning.toml")
    return ManagedData(
        version=str(doc["version"]),
        read=str(doc["read"]),
        offers=tuple(_offer(row) for row in doc["offers"]),
        notices=tuple(Notice(**{k: str(v) for k, v in row.items()}) for row in doc["notices"]),
    )


def offers_for(model_id: str) -> tuple[Offer, ...]:
    """The offers that apply to a plan on `model_id`: its own model's, and the providers' own."""
    return tuple(o for o in managed_data().offers if o.tunes in (ANY_MODEL, model_id))


def serving_prices(offer: Offer, traffic: Traffic) -> tuple[float, float]:
    """The fine-tuned model's dollars per million input and output tokens."""
    if offer.serving_ref is not None:
        provider, model = offer.serving_ref
        p = provider_price(provider, model, traffic.input_tokens, traffic.output_tokens)
        return p.input_usd_per_mtok, p.output_usd_per_mtok
    assert offer.serving_input_usd_per_mtok is not None
    assert offer.serving_output_usd_per_mtok is not None
    return offer.serving_input_usd_per_mtok, offer.serving_output_usd_per_mtok


def per_token_usd(traffic: Traffic, input_usd_per_mtok: float, output_usd_per_mtok: float) -> float:
    """A month of `traffic` at these per-million prices."""
    per_request = traffic.input_tokens * input_usd_per_mtok + traffic.output_tokens * (
        output_usd_per_mtok
    )
    return per_request * traffic.monthly_requests / 1e6


def training_usd(offer: Offer, training_tokens: float) -> float:
    """One run: the tokens it trains on (dataset x epochs) at the offer's training price."""
    return training_tokens * offer.training_usd_per_mtok / 1e6


def quote(
    offer: Offer,
    traffic: Traffic,
    *,
    examples: int,
    tokens_per_example: int,
    runs: Range,
    test_set: int,
) -> Quote:
    """The offer for this case: `runs` training runs (each also scoring the locked test set on
    the fine-tuned model and the baseline, at the serving price), then the month's traffic."""
    c = load_constants()
    epochs = c.get("epochs")
    tokens = round(examples * tokens_per_example * epochs)
    pin, pout = serving_prices(offer, traffic)
    scoring = Traffic(
        round(test_set * c.get("eval_models")), traffic.input_tokens, traffic.output_tokens
    )
    per_run = training_usd(offer, tokens) + per_token_usd(scoring, pin, pout)
    return Quote(
        offer=offer,
        examples=examples,
        epochs=epochs,
        training_tokens_per_run=tokens,
        runs=runs,
        per_run_usd=per_run,
        build_usd=runs.scale(per_run),
        input_usd_per_mtok=pin,
        output_usd_per_mtok=pout,
        monthly_usd=per_token_usd(traffic, pin, pout),
    )
