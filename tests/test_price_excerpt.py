"""The excerpt of genai-prices that a recommendation reads instead of the dataset (issue 25,
the CLI's start) gives the dataset's own prices, and is regenerated when the pin moves."""

from __future__ import annotations

import ast
import json
from importlib import resources

import pytest

from app.cost_model import price_excerpt, price_excerpt_build, prices


def _pin() -> tuple[str, str]:
    pin = prices.price_data()["genai_prices"]
    assert isinstance(pin, dict)
    return str(pin["version"]), str(pin["released"])


def test_the_excerpt_is_the_pinned_dataset_as_generated() -> None:
    """A stale excerpt (a new pin, new refs in our data) fails here: regenerate it with
    `python -m app.cost_model.price_excerpt_build`."""
    path = resources.files("app.cost_model").joinpath("data", price_excerpt.FILE)
    committed = json.loads(path.read_text(encoding="utf-8"))
    assert committed == price_excerpt_build.build(*_pin())


def test_every_lookup_our_data_names_is_in_the_excerpt() -> None:
    """Each is then read without importing genai-prices."""
    named = set(price_excerpt_build.named_lookups())
    assert named <= set(price_excerpt.entries(*_pin()))


@pytest.mark.parametrize(
    ("input_tokens", "output_tokens"), [(0, 0), (1, 1), (3048, 250), (271_999, 500), (400_000, 9)]
)
def test_the_excerpt_prices_as_the_dataset_does(input_tokens: int, output_tokens: int) -> None:
    for model_ref, provider in price_excerpt.entries(*_pin()):
        read = prices._excerpt(model_ref, provider, input_tokens, output_tokens)
        looked_up = prices._dataset(model_ref, provider, input_tokens, output_tokens)
        assert read == looked_up, (model_ref, provider)


def test_an_excerpt_from_another_release_is_not_used() -> None:
    version, released = _pin()
    assert price_excerpt.entries(version, "1999-01-01") == {}
    assert price_excerpt.entries("0.0.0", released) == {}


def test_the_reader_imports_neither_the_builder_nor_the_data_it_is_read_by() -> None:
    """No import circle: prices.py reads the excerpt, so the excerpt's reader must not import
    prices.py (nor genai-prices); generation, which needs both, is a module of its own."""
    source = resources.files("app.cost_model").joinpath("price_excerpt.py").read_text("utf-8")
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported
    assert not {m for m in imported if m and m.startswith(("app.", "genai_prices"))}
