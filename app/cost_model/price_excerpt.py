"""The few genai-prices prices the engine's own data names, read without the dataset.

Why: importing genai-prices and building its dataset costs about a fifth of a second (its
package pulls in an HTTP client and asyncio for live updates, and builds some 200 models),
more than the rest of `python -m app recommend`'s start. The models and providers our data
names (the reference API choices, the embeddings, the hosted fine-tuned and managed offers'
serving prices, the providers' successors) are a few dozen, each a per-million-token price for
input and output, sometimes tiered by prompt length. This module keeps those, taken from the
pinned dataset at the pinned release date, in `data/price_excerpt.json`, and
app.cost_model.prices reads them there; any other model, or live prices, go to genai-prices.

The excerpt is generated (`python -m app.cost_model.price_excerpt_build`), never edited:
generation keeps an entry only where its arithmetic gives genai-prices' own figures on a grid
of token counts, and tests/test_price_excerpt.py fails when the file and the dataset differ.
It holds only for the genai-prices version and release date it names (prices.toml's
`[genai_prices]`); otherwise it is not used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
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


def parse_price(raw: Any) -> Price | None:
    """A price as the excerpt writes it: a decimal string, or a base with its tiers."""
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
            parse_price(row["input_mtok"]),
            parse_price(row["output_mtok"]),
        )
        for row in doc["prices"]
    }
