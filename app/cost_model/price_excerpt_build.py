"""Making `data/price_excerpt.json` (app.cost_model.price_excerpt) from the pinned genai-prices
dataset: `python -m app.cost_model.price_excerpt_build`.

Kept apart from the excerpt's reader so that the reader imports neither genai-prices nor the
price and managed-service data it is read by (which import it): generation needs both.
tests/test_price_excerpt.py builds the excerpt again and fails when the file differs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from genai_prices import Usage, calc_price
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import TieredPrices

from app.cost_model.managed import managed_data
from app.cost_model.price_excerpt import FILE, Entry, parse_price
from app.cost_model.prices import price_data

ABOUT = "Made by python -m app.cost_model.price_excerpt_build from genai-prices: do not edit"


def named_lookups() -> Iterator[tuple[str, str | None]]:
    """Every (model reference, provider) the engine's data asks genai-prices for."""
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
            parse_price(row["input_mtok"]),
            parse_price(row["output_mtok"]),
        )
        if all(
            entry.usd(inp, out) == _dataset_usd(model_ref, provider, inp, out, when)
            for inp, out in _grid(entry)
        ):
            rows.append(row)
    return {
        "about": ABOUT,
        "genai_prices": version,
        "released": released,
        "prices": rows,
    }


def write(path: Path) -> None:
    pin = price_data()["genai_prices"]
    assert isinstance(pin, dict)
    doc = build(str(pin["version"]), str(pin["released"]))
    head = {k: v for k, v in doc.items() if k != "prices"}
    lines = ",\n  ".join(json.dumps(row, ensure_ascii=False) for row in doc["prices"])
    text = json.dumps(head, indent=1, ensure_ascii=False)[:-2]
    path.write_text(f'{text},\n "prices": [\n  {lines}\n ]\n}}\n', encoding="utf-8")


if __name__ == "__main__":
    write(Path(str(resources.files("app.cost_model").joinpath("data", FILE))))
