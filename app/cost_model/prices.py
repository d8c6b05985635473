"""LLM API prices through the `genai-prices` dataset, pinned and dated.

Every lookup passes the dataset's own release date as the request time, so a price never
depends on the wall clock: the same versions give the same dollars. Live updates from the
network are off unless a deployment opts in (see app.config), and then `prices_as_of` says so.

The prices our own data names are read from an excerpt of the pinned dataset
(app.cost_model.price_excerpt), so a command line run that needs no other model never imports
genai-prices; any other model, and live prices, are looked up in the dataset itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from app.cost_model.catalogue import read_data
from app.cost_model.price_excerpt import entries
from app.cost_model.ranges import Range

if TYPE_CHECKING:
    from genai_prices import UpdatePrices


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
        from genai_prices import UpdatePrices  # noqa: PLC0415  # genai-prices only when needed

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


def _per_mtok(usd: Decimal, tokens: int) -> float:
    return float(usd) / tokens * 1e6 if tokens else 0.0


def _excerpt(
    model_ref: str, provider: str | None, input_tokens: int, output_tokens: int
) -> ApiPrice | None:
    """The price from the pinned dataset's excerpt, when it has this lookup (not live)."""
    pin = _section("genai_prices")
    entry = entries(str(pin["version"]), str(pin["released"])).get((model_ref, provider))
    if entry is None:
        return None
    inp, out = entry.usd(input_tokens, output_tokens)
    return ApiPrice(
        entry.provider_id,
        entry.model_id,
        entry.model_name,
        _per_mtok(inp, input_tokens),
        _per_mtok(out, output_tokens),
    )


def _dataset(
    model_ref: str, provider: str | None, input_tokens: int, output_tokens: int
) -> ApiPrice:
    from genai_prices import Usage, calc_price  # noqa: PLC0415  # a fifth of a second: lazily

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
    return ApiPrice(
        calc.provider.id,
        calc.model.id,
        calc.model.name or calc.model.id,
        _per_mtok(calc.input_price, input_tokens),
        _per_mtok(calc.output_price, output_tokens),
    )


@lru_cache(maxsize=256)
def _lookup(
    model_ref: str, provider: str | None, input_tokens: int, output_tokens: int
) -> ApiPrice:
    if not _live:
        found = _excerpt(model_ref, provider, input_tokens, output_tokens)
        if found is not None:
            return found
    return _dataset(model_ref, provider, input_tokens, output_tokens)


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
