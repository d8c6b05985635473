"""The vocabulary: one rule per kind of number, and words for every id a person may see."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cost_model.catalogue import load_catalogue
from app.questions import RecommendationRequest
from app.rules.base.approaches import Approach
from app.rules.recommend import recommend
from app.views import rows
from app.views.chart import y_axis
from app.views.page_one import page_one
from app.vocabulary import numbers, words
from benchmarks.common import FINTECH, LOGISTICS


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (97.4, "$97.40"),
        (5.234, "$5.23"),
        (12.0, "$12"),
        (99.999, "$100"),
        (100.4, "$100"),
        (1234.56, "$1,235"),
        (0.0, "$0"),
        (-1234.0, "-$1,234"),
        (None, "n/a"),
    ],
)
def test_money_has_one_rule_for_cents(value: float | None, text: str) -> None:
    assert numbers.usd(value) == text


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_money_shows_cents_only_under_a_hundred_dollars(value: float) -> None:
    text = numbers.usd(value)
    assert re.fullmatch(r"\$[\d,]+(\.\d\d)?", text)
    if "." in text:
        assert value < numbers.CENTS_BELOW
    assert abs(float(text[1:].replace(",", "")) - value) <= 0.5


@pytest.mark.parametrize(
    ("n", "text"), [(1, "1 GPU"), (2, "2 GPUs"), (0, "0 GPUs"), (1200, "1,200 GPUs")]
)
def test_counts_agree_with_their_noun(n: int, text: str) -> None:
    assert numbers.plural(n, "GPU") == text


def test_counts_tokens_hours_and_compact_money() -> None:
    assert numbers.count(5000) == "5,000"
    assert numbers.count(2.5) == "2.5"
    assert numbers.tokens(1_500_000) == "1.5M tokens"
    assert numbers.tokens(1000) == "1,000 tokens"
    assert numbers.hours(1) == "1 hour"
    assert numbers.hours(163.4) == "163 hours"
    assert numbers.usd_compact(1_500_000) == "$1.5M"
    assert numbers.usd_compact(2_500) == "$2.5k"
    assert numbers.usd_compact(25_000) == "$25k"
    assert numbers.usd_compact(950) == "$950"
    assert numbers.usd_range(40, 95.5) == "$40 to $95.50"
    assert numbers.usd_range(40, 40.2) == "$40 to $40.20"
    assert numbers.usd_range(40, 40) == "$40"


def test_every_catalogue_id_has_a_name() -> None:
    cat = load_catalogue()
    for model in cat.models.values():
        assert words.model_name(model.id) == model.name
    for gpu in cat.gpus.values():
        assert words.gpu_name(gpu.id) == gpu.name
    assert words.model_name("custom-13b") == "13B-parameter model"
    assert all(a.value not in words.approach(a.value) for a in Approach if "_" in a.value)


def test_answers_read_as_the_wizard_offered_them() -> None:
    assert words.answer("objective", "behaviour").startswith("Behave differently")
    assert words.answer("citations_required", value=False) == "No"
    assert words.answer("labelled_examples", 1000) == "1,000 examples"
    assert words.answer("budget_usd", 20000.0) == "$20,000"
    assert words.context_value("on_prem_required", value=True) == "Yes"
    assert words.context_value("gpu", "h100-80gb") == load_catalogue().gpus["h100-80gb"].name
    assert words.unsure_answer("labelled_examples", 200) == "I'm not sure (assumed: 200 examples)"


IDS = re.compile(
    r"\b(?:[a-z0-9]+_[a-z0-9_]+|[a-z0-9.]+-\d+(?:\.\d+)?b|[a-z0-9]+-\d+gb)\b|\(s\)|\bTrue\b|\bFalse\b"
)
"""What an id, a raw boolean or a '(s)' plural looks like in text a person reads."""


@pytest.mark.parametrize("body", [FINTECH, LOGISTICS], ids=["fintech", "logistics"])
def test_the_page_rows_and_figures_speak_words(body: dict[str, object]) -> None:
    r = recommend(RecommendationRequest.model_validate(body))
    one = page_one(r)
    texts = [one.heading, one.lead, one.confidence.note]
    for row in one.facts:
        texts += [row.label, row.value, row.note]
    for row in (*rows.plan_rows(r), *rows.answer_rows(r), *rows.context_rows(r)):
        texts += [row.label, row.value]
    for line in rows.cost_line_rows(r):
        texts += [line.label, line.how]
    for t in rows.training_rows(r):
        texts += [t.method, t.gpus]
    leaks = [t for t in texts if IDS.search(t)]
    assert leaks == []


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_the_y_axis_holds_the_highest_line_in_round_steps(top: float) -> None:
    y_max, ticks = y_axis(top)
    assert y_max >= top
    assert ticks[0] == 0
    assert ticks[-1] == y_max
    assert 2 <= len(ticks) <= 8
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1


def test_sentences_about_an_approach_start_with_a_capital() -> None:
    """'Don't fine-tune ... leads RAG', never 'don't fine-tune ... leads' at a sentence start."""
    body = {
        "answers": {**FINTECH["answers"], "labelled_examples": 100},
        "context": FINTECH["context"],
    }
    r = recommend(RecommendationRequest.model_validate(body))
    assert r.approach is Approach.dont_fine_tune
    assert r.confidence.explanation[0].isupper()
    assert all(s.why[0].isupper() or s.why[0].isdigit() for s in r.ranking)
