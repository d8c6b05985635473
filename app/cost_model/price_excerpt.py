"""The few genai-prices prices the engine's own data names, read without the dataset.

Why: importing genai-prices and building its dataset costs about a fifth of a second (its
package pulls in an HTTP client and asyncio for live updates, and builds some 200 models),
more than the rest of `python -m app recommend`'s start. The models and providers our data
names (the reference API choices, the embeddings, the hosted fine-tuned and managed offers'
serving prices, the providers' successors) are a few dozen, each a per-million-token price for
input and output, sometimes tiered by prompt length. This module keeps those, taken from the
pinned dataset at the pinned release date, in `data/price_excerpt.json`, and
app.cost_model.prices reads them there; any other model, or live prices, go to genai-prices.

The excerpt is generated (`python -m app.cost_model.price_excerpt`), never edited:
generation keeps an entry only where its arithmetic gives genai-prices' own figures on a grid
of token counts, and tests/test_price_excerpt.py fails when the file and the dataset differ.
It holds only for the genai-prices version and release date it names (prices.toml's
`[genai_prices]`); otherwise it is not used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

FILE = "price_excerpt.json"
PER = 1_000_000
"""Prices are per million tokens: a unit price times the count, over this."""

Tiers = tuple[tuple[int, Decimal], ...]


@dataclass(frozen=True, slots=True)
class Price:
    """A per-million-token price: `base` until the prompt passes a tier's start, then that
    tier's price for every token (genai-prices' threshold, "cliff" pricing)."""

    base: Decimal
    tiers: Tiers = ()

    def usd(self, count: int, prompt_tokens: int) -> Decimal:
        """Dollars for `count` tokens when the prompt is `prompt_tokens` long, in the
        dataset's own decimal arithmetic (price x count / 1e6)."""
        applicable = self.base
        for start, price in reversed(self.tiers):
            if prompt_tokens > start:
                applicable = price
                break
        return applicable * Decimal(count) / PER


@dataclass(frozen=True, slots=True)
class Entry:
    """One (model reference, provider) lookup as genai-prices answers it."""

    provider_id: str
    model_id: str
    model_name: str
    input: Price | None
    output: Price | None

    def usd(self, input_tokens: int, output_tokens: int) -> tuple[Decimal, Decimal]:
        """Input and output dollars of one request of this shape."""
        inp = self.input.usd(input_tokens, input_tokens) if self.input else Decimal(0)
        out = self.output.usd(output_tokens, input_tokens) if self.output else Decimal(0)
        return inp, out


def _price(raw: Any) -> Price | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return Price(Decimal(raw))
    return Price(Decimal(raw["base"]), tuple((int(s), Decimal(p)) for s, p in raw["tiers"]))


@cache
def _document() -> dict[str, Any]:
    text = resources.files("app.cost_model").joinpath("data", FILE).read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


@cache
def entries(version: str, released: str) -> dict[tuple[str, str | None], Entry]:
    """The excerpt's lookups, by (model reference, provider); none unless it was taken from
    this genai-prices version at this release date."""
    doc = _document()
    if doc["genai_prices"] != version or doc["released"] != released:
        return {}
    return {
        (row["model_ref"], row["provider"]): Entry(
            row["provider_id"],
            row["model_id"],
            row["model_name"],
            _price(row["input_mtok"]),
            _price(row["output_mtok"]),
        )
        for row in doc["prices"]
    }


def named_lookups() -> Iterator[tuple[str, str | None]]:
    """Every (model reference, provider) the engine's data asks genai-prices for."""
    from app.cost_model.managed import managed_data  # noqa: PLC0415  # generation only
    from app.cost_model.prices import price_data  # noqa: PLC0415

    data = price_data()
    reference = data["reference_api"]
    assert isinstance(reference, dict)
    yield str(reference["default_model"]), None
    for row in reference["choices"]:
        yield str(row["id"]), None
    embeddings = data["embeddings"]
    assert isinstance(embeddings, dict)
    yield str(embeddings["model"]), str(embeddings["provider"])
    hosted = data["hosted_fine_tuned"]
    assert isinstance(hosted, dict)
    for provider, model_ref in hosted["refs"].values():
        yield str(model_ref), str(provider)
    managed = managed_data()
    for offer in managed.offers:
        if ref := offer.get("serving_ref"):
            yield str(ref[1]), str(ref[0])
    for event in managed.end_dates:
        for current, successor in event.successors:
            yield str(current), None
            yield str(successor), None


def _raw(price: object) -> object:
    """A genai-prices price as the excerpt writes it (decimals as strings, exact)."""
    from genai_prices.types import TieredPrices  # noqa: PLC0415  # generation only

    if price is None:
        return None
    if isinstance(price, TieredPrices):
        return {"base": str(price.base), "tiers": [[t.start, str(t.price)] for t in price.tiers]}
    assert isinstance(price, Decimal)
    return str(price)


def _grid(entry: Entry) -> Iterator[tuple[int, int]]:
    """Token counts to check an entry on: ordinary shapes, and each tier's edges."""
    counts = {0, 1, 250, 1000, 3048, 17_000, 123_457, 1_000_000}
    for price in (entry.input, entry.output):
        for start, _ in price.tiers if price else ():
            counts |= {start - 1, start, start + 1}
    for inp in sorted(counts):
        for out in (0, 1, 250, 4321):
            yield inp, out


def _dataset_usd(
    model_ref: str, provider: str | None, input_tokens: int, output_tokens: int, when: datetime
) -> tuple[Decimal, Decimal]:
    from genai_prices import Usage, calc_price  # noqa: PLC0415  # generation only

    calc = calc_price(
        Usage(input_tokens=input_tokens, output_tokens=output_tokens),
        model_ref,
        provider_id=provider,
        genai_request_timestamp=when,
    )
    return calc.input_price, calc.output_price


def build(version: str, released: str) -> dict[str, Any]:
    """The excerpt from the installed genai-prices, priced at the release date: each entry
    kept only where it gives the dataset's own dollars on the grid."""
    from genai_prices.data_snapshot import get_snapshot  # noqa: PLC0415  # generation only

    when = datetime.fromisoformat(released).replace(tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    for model_ref, provider in dict.fromkeys(named_lookups()):
        try:
            found, model = get_snapshot().find_provider_model(model_ref, None, provider, None)
        except LookupError:
            continue
        prices = model.get_prices(when)
        name = model.name or model.id
        row: dict[str, Any] = {
            "model_ref": model_ref,
            "provider": provider,
            "provider_id": found.id,
            "model_id": model.id,
            "model_name": name,
            "input_mtok": _raw(prices.input_mtok),
            "output_mtok": _raw(prices.output_mtok),
        }
        entry = Entry(
            found.id,
            model.id,
            name,
            _price(row["input_mtok"]),
            _price(row["output_mtok"]),
        )
        if all(
            entry.usd(inp, out) == _dataset_usd(model_ref, provider, inp, out, when)
            for inp, out in _grid(entry)
        ):
            rows.append(row)
    return {
        "about": "Made by python -m app.cost_model.price_excerpt from genai-prices: do not edit",
        "genai_prices": version,
        "released": released,
        "prices": rows,
    }


def write(path: Path) -> None:
    from app.cost_model.prices import price_data  # noqa: PLC0415

    pin = price_data()["genai_prices"]
    assert isinstance(pin, dict)
    doc = build(str(pin["version"]), str(pin["released"]))
    head = {k: v for k, v in doc.items() if k != "prices"}
    lines = ",\n  ".join(json.dumps(row, ensure_ascii=False) for row in doc["prices"])
    text = json.dumps(head, indent=1, ensure_ascii=False)[:-2]
    path.write_text(f'{text},\n "prices": [\n  {lines}\n ]\n}}\n', encoding="utf-8")


if __name__ == "__main__":
    write(Path(str(resources.files("app.cost_model").joinpath("data", FILE))))
