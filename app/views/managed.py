"""The managed fine-tuning option as the page and the PDF print it: one row per provider's
offer, and the providers' dated notices about retiring fine-tuned models."""

from __future__ import annotations

from dataclasses import dataclass

from app.cost_model.freshness import stale_note
from app.rules.result import Recommendation
from app.rules.result.extras import ManagedOffer
from app.vocabulary import numbers


@dataclass(frozen=True, slots=True)
class OfferRow:
    id: str
    """The offer's id, for the page's bindings; never printed."""
    offer: str
    """Provider and model ("Fireworks AI: Llama 3.1 8B Instruct")."""
    status: str
    """"priced in the options", "open", or why a team starting now cannot buy it."""
    training: str
    build: str
    serving: str
    monthly: str
    sources: str


@dataclass(frozen=True, slots=True)
class NoticeRow:
    provider: str
    date: str
    text: str
    source: str


def offer_rows(r: Recommendation) -> tuple[OfferRow, ...]:
    m = r.cost.managed_fine_tuning
    if m is None:
        return ()
    rows = []
    for o in m.offers:
        status = "priced in the options" if o.id == m.chosen else "open to you"
        if not o.available:
            status = f"closed to a team starting now: {o.why_unavailable}"
        rows.append(
            OfferRow(
                id=o.id,
                offer=f"{o.provider}: {o.model}" + ("" if o.open_weights else " (closed weights)"),
                status=status,
                training=f"{numbers.usd(o.training_usd_per_mtok)} per million training tokens "
                f"({o.price_tier}); "
                + (
                    f"{numbers.tokens(o.training_tokens_per_run)} a run"
                    if o.training_tokens_per_run
                    else "no examples left to train on once the test set is locked"
                ),
                build=f"{numbers.usd(o.build_usd.expected)} for {o.runs} runs "
                f"({numbers.usd_range(o.build_usd.low, o.build_usd.high)})",
                serving=_serving(o),
                monthly=numbers.usd(o.monthly_serving_usd),
                sources=f"Training: {o.training_source}. Serving: {o.serving_source}. "
                f"Read {o.as_of}" + (f" ({stale_note(o.as_of)})." if o.stale else "."),
            )
        )
    return tuple(rows)


def _serving(o: ManagedOffer) -> str:
    """Per token, or a dedicated deployment billed by the GPU-hour whether used or not."""
    if o.serving_gpus and o.serving_usd_per_gpu_hour is not None:
        return (
            f"{numbers.plural(o.serving_gpus, 'GPU')} on a dedicated deployment at "
            f"{numbers.usd(o.serving_usd_per_gpu_hour)} a GPU-hour, always on"
        )
    return (
        f"{numbers.usd(o.serving_input_usd_per_mtok)} in / "
        f"{numbers.usd(o.serving_output_usd_per_mtok)} out per million tokens"
    )


def notice_rows(r: Recommendation) -> tuple[NoticeRow, ...]:
    m = r.cost.managed_fine_tuning
    if m is None:
        return ()
    return tuple(NoticeRow(n.provider, n.date, n.text, n.source) for n in m.notices)


def lock_in_risk(r: Recommendation) -> tuple[str, str] | None:
    """The managed option's lock-in and deprecation risk, where that option is open: a managed
    service trains and serves the model only while its provider keeps them. Short and without
    addresses: the providers' dated notices are listed with the managed offers."""
    m = r.cost.managed_fine_tuning
    managed = next((o for o in r.cost.options if o.line == m.line), None) if m else None
    if m is None or managed is None or managed.ruled_out:
        return None  # a service ruled out (by a rule or a must) is not a risk in play
    providers = sorted({n.provider for n in m.notices})
    said = (
        f" {', '.join(providers)} have retired or announced retiring fine-tuned models."
        if providers
        else ""
    )
    text = (
        "A managed fine-tuning service serves the fine-tuned model only while its provider keeps "
        "the base model and the service: keep the training data and the test set ready to "
        f"retrain elsewhere.{said}"
    )
    source = "; ".join(f"{n.provider}'s notice of {n.date}" for n in m.notices)
    return text, source
