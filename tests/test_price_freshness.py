"""Every price is dated and sourced, a stale one says so, managed services are billed as their
providers bill, and a provider's end date on a drawn option is marked and costed (issue 26)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cost_model.catalogue import load_catalogue, read_data
from app.cost_model.freshness import freshness, is_stale, stale_note
from app.cost_model.managed import Offer, billed_tokens, managed_data, offers_for
from app.questions import RecommendationRequest
from app.rules.economics.provider_events import chart_month
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.chart import build_chart
from app.views.risks import risks

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATED = re.compile(r"\b20\d{2}-\d{2}-\d{2}\b")
NO_ML_TEAM: dict[str, Any] = {
    "objective": "behaviour",
    "domain_vocabulary": "specialised",
    "output_consistency": "consistent_tone",
    "labelled_examples": 3000,
    "data_freshness": "monthly",
    "citations_required": False,
    "latency_p99_ms": 2000,
    "ml_capability": 1,
    "budget_usd": 10000,
}


def _run(answers: dict[str, Any] = NO_ML_TEAM, **context: Any) -> Recommendation:
    return recommend(RecommendationRequest.model_validate({"answers": answers, "context": context}))


def price_problems(gpu: dict[str, Any]) -> list[str]:
    """What is wrong with one GPU row's prices: a missing date or source, a price from memory,
    a band out of order, or a low or high that names no provider's page and date."""
    problems = []
    if not ISO.match(str(gpu.get("price_as_of", ""))):
        problems.append("no price date")
    source = str(gpu.get("price_source", ""))
    if "https://" not in source and "AWS Price List" not in source:
        problems.append("no page")
    if "memory" in source.lower():
        problems.append("a price from memory")
    problems += [
        f"no source for the {p} price" for p in ("expected", "low", "high") if p not in source
    ]
    if len(DATED.findall(source)) < 2:
        problems.append("no date read beside the sources")
    if not gpu["usd_per_hour_low"] <= gpu["usd_per_hour"] <= gpu["usd_per_hour_high"]:
        problems.append("band out of order")
    return problems


# --- Every price dated and sourced ---------------------------------------------------------------


@pytest.mark.parametrize("gpu", read_data("gpus.toml")["gpus"], ids=lambda g: g["id"])
def test_every_gpu_price_is_dated_and_sourced_never_from_memory(gpu: dict[str, Any]) -> None:
    assert price_problems(gpu) == []


def test_the_check_fails_on_an_undated_or_unsourced_price() -> None:
    row = dict(read_data("gpus.toml")["gpus"][0])
    assert price_problems(row | {"price_as_of": ""}) == ["no price date"]
    assert "no page" in price_problems(row | {"price_source": "expected: Lambda; low; high"})
    assert "a price from memory" in price_problems(
        row | {"price_source": row["price_source"] + " (list price, from memory)"}
    )


def test_the_b200_is_in_the_catalogue_with_its_datasheet_figures() -> None:
    b200 = load_catalogue().gpus["b200-180gb"]
    assert b200.memory_gib == 179.0
    assert b200.bf16_dense_tflops == 2250.0
    assert b200.memory_bandwidth_gbs == 8000.0
    assert "nvidia.com" in b200.spec_source
    assert b200.usd_per_hour_low < b200.usd_per_hour < b200.usd_per_hour_high


def test_every_managed_price_row_is_dated_and_names_its_page() -> None:
    for offer in managed_data().offers:
        assert ISO.match(offer["as_of"]), offer["id"]
        assert "https://" in offer["training_source"], offer["id"]
        assert "https://" in offer["serving_source"], offer["id"]


# --- Stale prices say so -------------------------------------------------------------------------


def test_the_maximum_age_is_one_dated_parameter() -> None:
    f = freshness()
    assert f.max_age_months == 6
    assert f.reviewed == "2026-12-07"
    assert f.cutoff == "2026-06-07"
    assert is_stale("2026-06-06")
    assert not is_stale("2026-06-07")
    assert stale_note("2026-11-09") == ""
    assert "older than 6 months" in stale_note("2026-05-08")


def test_the_gpu_catalogue_flags_a_stale_price_and_still_serves_it(client: TestClient) -> None:
    body = client.get("/api/v1/gpus").json()
    assert body["price_max_age_months"] == 6
    assert body["prices_reviewed"] == "2026-12-07"
    gpus = {g["id"]: g for g in body["gpus"]}
    assert "b200-180gb" in gpus
    for g in gpus.values():
        assert g["price_stale"] == (g["price_as_of"] < "2026-06-07"), g["id"]
        assert g["usd_per_hour"] > 0
    assert gpus["l4-24gb"]["price_stale"]  # its low is Modal's May 2026 price
    assert not gpus["h100-80gb"]["price_stale"]


def test_method_marks_the_stale_prices(client: TestClient) -> None:
    page = client.get("/method").text
    assert "Stale: older than 6 months" in page
    assert "marked stale" in page


def test_a_stale_managed_price_is_flagged_in_the_result_and_its_sources() -> None:
    m = _run().cost.managed_fine_tuning
    assert m is not None
    by_id = {o.id: o for o in m.offers}
    assert by_id["together"].stale  # transcribed 2026-05-08
    assert not by_id["fireworks"].stale
    managed = next(o for o in _run().cost.options if o.line == "managed")
    if m.chosen == "together":
        assert "older than 6 months" in managed.price_source


# --- Managed fine-tuning as it stands -----------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "provider", "price"),
    [
        ("llama-3.1-8b", "fireworks", 0.50),
        ("gemma-3-27b", "fireworks", 3.00),
        ("llama-3.1-70b", "fireworks", 3.00),
        ("qwen3-235b-a22b", "fireworks", 6.00),
        ("llama-3.1-8b", "together", 0.48),
        ("qwen-2.5-32b", "together", 1.50),
        ("llama-3.1-70b", "together", 2.90),
        ("qwen3-8b", "tinker", 0.44),
        ("llama-3.2-1b", "prime-intellect", 0.06),
        ("gpt-oss-20b", "prime-intellect", 0.40),
    ],
)
def test_each_provider_prices_the_model_by_its_size_tier(
    model: str, provider: str, price: float
) -> None:
    offers = {o.id: o for o in offers_for(load_catalogue().models[model])}
    assert offers[provider].training_usd_per_mtok == price


def test_a_model_a_provider_does_not_tune_gets_no_offer_from_it() -> None:
    big = {o.id for o in offers_for(load_catalogue().models["qwen3-235b-a22b"])}
    assert "together" not in big  # Together's ranges stop at 100B
    assert "tinker" not in {o.id for o in offers_for(load_catalogue().models["llama-3.1-8b"])}


def _together() -> Offer:
    offers = offers_for(load_catalogue().models["llama-3.1-8b"])
    return next(o for o in offers if o.id == "together")


def test_together_bills_epochs_times_training_tokens_plus_evaluation_tokens() -> None:
    offer = _together()
    billed = billed_tokens(offer, examples=1000, tokens_per_example=500, epochs=3, test_set=100)
    assert billed == 3 * 1000 * 500 + 1 * 100 * 500


def test_together_without_packing_bills_every_example_at_the_maximum_length() -> None:
    offer = _together()
    unpacked = Offer(**{**_as_dict(offer), "packing": False})
    billed = billed_tokens(unpacked, examples=1000, tokens_per_example=500, epochs=3, test_set=100)
    assert billed == 3 * 1000 * 8192 + 100 * 8192


def test_fireworks_bills_the_dataset_times_epochs() -> None:
    offer = next(
        o for o in offers_for(load_catalogue().models["llama-3.1-8b"]) if o.id == "fireworks"
    )
    assert billed_tokens(offer, examples=1000, tokens_per_example=500, epochs=3, test_set=100) == (
        1_500_000
    )


def _as_dict(offer: Offer) -> dict[str, Any]:
    return {name: getattr(offer, name) for name in Offer.__slots__}


def test_a_dedicated_deployment_is_billed_every_hour_of_the_month() -> None:
    m = _run().cost.managed_fine_tuning
    assert m is not None
    for o in m.offers:
        if o.serving_gpus:
            assert o.serving_usd_per_gpu_hour is not None
            assert o.monthly_serving_usd == pytest.approx(
                o.serving_gpus * o.serving_usd_per_gpu_hour * 730, abs=0.01
            )


def test_openai_is_listed_closed_and_never_chosen() -> None:
    m = _run().cost.managed_fine_tuning
    assert m is not None
    openai = next(o for o in m.offers if o.provider == "OpenAI")
    assert not openai.available
    assert "6 January 2027" in (openai.why_unavailable or "")
    assert m.chosen != openai.id
    assert any(n.provider == "Databricks" and n.date == "2026-08-14" for n in m.notices)


# --- The risk that a provider changes -----------------------------------------------------------


def test_months_are_counted_from_the_review_date() -> None:
    assert chart_month("2026-12-07") == 1
    assert chart_month("2027-01-06") == 1
    assert chart_month("2027-01-14") == 2


def test_a_drawn_api_line_on_a_retiring_model_is_marked_and_costed() -> None:
    r = _run(reference_api_model="gpt-4o")
    events = [e for e in r.cost.provider_events if e.line == "api"]
    assert len(events) == 1
    event = events[0]
    assert (event.month, event.date, event.action) == (2, "2027-01-14", "migrate")
    assert "GPT-5.4" in event.then
    chart = build_chart(r.cost)
    assert [e.month for e in chart.events] == [2]
    assert "Month 2 (2027-01-14)" in chart.events_note
    found = [k for k in risks(r) if "2027-01-14" in k.text]
    assert found
    assert found[0].source.startswith("OpenAI's deprecations page")
    assert "$" in found[0].text


def test_no_event_without_a_retiring_model_or_past_the_horizon() -> None:
    assert _run().cost.provider_events == ()  # GPT-5.2 has no announced end date
    assert _run(reference_api_model="gpt-4o", horizon_months=1).cost.provider_events == ()


def test_nothing_is_said_about_the_provider_of_a_ruled_out_option() -> None:
    r = _run(reference_api_model="gpt-4o", on_prem_required=True)
    ruled_out = {o.line for o in r.cost.options if not o.eligible and not o.recommended}
    assert "api" in ruled_out
    assert all(e.line not in ruled_out for e in r.cost.provider_events)
    assert not any("GPT-4o leaves" in k.text for k in risks(r))
