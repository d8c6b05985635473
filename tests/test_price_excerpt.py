"""The excerpt of genai-prices that a recommendation reads instead of the dataset (issue 25,
the CLI's start) gives the dataset's own prices, and is regenerated when the pin moves."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from app.cost_model import price_excerpt, prices


def _pin() -> tuple[str, str]:
    pin = prices.price_data()["genai_prices"]
    assert isinstance(pin, dict)
    return str(pin["version"]), str(pin["released"])


def test_the_excerpt_is_the_pinned_dataset_as_generated() -> None:
    """A stale excerpt (a new pin, new refs in our data) fails here: regenerate it with
    `python -m app.cost_model.price_excerpt`."""
    path = resources.files("app.cost_model").joinpath("data", price_excerpt.FILE)
    committed = json.loads(path.read_text(encoding="utf-8"))
    assert committed == price_excerpt.build(*_pin())


def test_every_lookup_our_data_names_is_in_the_excerpt() -> None:
    """Each is then read without importing genai-prices."""
    named = set(price_excerpt.named_lookups())
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
