"""LLM API prices through the `genai-prices` dataset, pinned and dated.

Every lookup passes the dataset's own release date as the request time, so a price never
depends on the wall clock: the same versions give the same dollars. Live updates from the
network are off unless a deployment opts in (see app.config), and then `prices_as_of` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache

from genai_prices import UpdatePrices, Usage, calc_price

from app.cost_model.catalogue import read_data
from app.cost_model.ranges import Range


@dataclass(frozen=True, slots=True)
class ApiPrice:
    """Dollars per million input and output tokens for one request shape."""

    provider: str
    model: str
    model_name: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float


@cache
def price_data() -> dict[str, object]:
    return read_data("prices.toml")


def _section(name: str) -> dict[str, object]:
    section = price_data()[name]
    assert isinstance(section, dict)
    return section


_live: list[UpdatePrices] = []
"""The running live updater, when a connected deployment opted in (settings)."""


def start_live_updates() -> None:
    """Opt in to genai-prices' background refresh from its published data (network needed).
    Results then follow today's prices and say so in prices_as_of."""
    if not _live:
        updater = UpdatePrices()
        updater.start(wait=False)
        _live.append(updater)
        _lookup.cache_clear()


def stop_live_updates() -> None:
    while _live:
        _live.pop().stop()  # type: ignore[no-untyped-call]  # genai-prices leaves it unannotated
    _lookup.cache_clear()


def live_prices() -> bool:
    return bool(_live)


def bundled_as_of() -> str:
    return str(_section("genai_prices")["released"])


def prices_as_of() -> str:
    """The date of the price data: the pinned release, or a note that prices are live."""
    if _live:
        return f"live (fetched at run time; bundled data {bundled_as_of()})"
    return bundled_as_of()


def _as_of_timestamp() -> datetime | None:
    if _live:
        return None  # today's prices, as the live data has them
    return datetime.fromisoformat(bundled_as_of()).replace(tzinfo=UTC)


DEFAULT_REFERENCE_API_MODEL: str = str(_section("reference_api")["default_model"])


@dataclass(frozen=True, slots=True)
class ReferenceChoice:
    """A reference API model offered in the wizard and on the results page."""

    id: str
    name: str
    """As people call it: "GPT-5.2", "Claude Sonnet 4.5"."""
    provider: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.provider})"


@cache
def reference_api_choices() -> tuple[ReferenceChoice, ...]:
    """The reference models offered (data/prices.toml), the default first."""
    rows = _section("reference_api")["choices"]
    assert isinstance(rows, list)
    return tuple(ReferenceChoice(str(r["id"]), str(r["name"]), str(r["provider"])) for r in rows)


@lru_cache(maxsize=256)
def _lookup(
    model_ref: str, provider: str | None, input_tokens: int, output_tokens: int
) -> ApiPrice:
    try:
        calc = calc_price(
            Usage(input_tokens=input_tokens, output_tokens=output_tokens),
            model_ref,
            provider_id=provider,
            genai_request_timestamp=_as_of_timestamp(),
        )
    except LookupError as exc:
        raise ValueError(
            f"unknown API model {model_ref!r}: use one of the reference models GET "
            "/api/v1/questions lists for reference_api_model (such as "
            f"{DEFAULT_REFERENCE_API_MODEL!r}), or another model id of the genai-prices dataset"
        ) from exc
    inp = float(calc.input_price) / input_tokens * 1e6 if input_tokens else 0.0
    out = float(calc.output_price) / output_tokens * 1e6 if output_tokens else 0.0
    return ApiPrice(calc.provider.id, calc.model.id, calc.model.name or calc.model.id, inp, out)


def _price(model_ref: str, provider: str | None, input_tokens: int, output_tokens: int) -> ApiPrice:
    """Cached for the pinned data; looked up afresh while live prices may change under us."""
    lookup = _lookup.__wrapped__ if _live else _lookup
    return lookup(model_ref, provider, input_tokens, output_tokens)


def resolve_api_model(model_ref: str) -> ApiPrice:
    """Check a reference model exists in the dataset (raises ValueError with a clear message)."""
    return _price(model_ref, None, 1000, 250)


def api_price(model_ref: str, input_tokens: int, output_tokens: int) -> ApiPrice:
    """Per-million prices at this request size: tiered models charge more for long prompts."""
    return _price(model_ref, None, input_tokens, output_tokens)


def provider_price(
    provider: str, model_ref: str, input_tokens: int, output_tokens: int
) -> ApiPrice:
    """One provider's per-million prices for one of its models, at this request size."""
    return _price(model_ref, provider, input_tokens, output_tokens)


def embedding_usd_per_mtok() -> float:
    emb = _section("embeddings")
    return _price(str(emb["model"]), str(emb["provider"]), 1_000_000, 0).input_usd_per_mtok


def hosted_price(model_id: str, input_tokens: int, output_tokens: int) -> ApiPrice | None:
    """The hosted price of a catalogue model where a provider in the dataset sells it."""
    refs = _section("hosted_fine_tuned")["refs"]
    assert isinstance(refs, dict)
    ref = refs.get(model_id)
    if ref is None:
        return None
    provider, model_ref = ref
    return _price(str(model_ref), str(provider), input_tokens, output_tokens)


def fine_tuned_premium() -> Range:
    """What a provider adds to its base per-token price for a fine-tuned model, as a fraction:
    low, expected and high (prices.toml `[hosted_fine_tuned]`, with their sources)."""
    section = _section("hosted_fine_tuned")
    return Range(
        float(section["premium_low"]),  # type: ignore[arg-type]
        float(section["premium"]),  # type: ignore[arg-type]
        float(section["premium_high"]),  # type: ignore[arg-type]
    )
