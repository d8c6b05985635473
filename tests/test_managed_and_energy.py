"""Managed fine-tuning as a costed option for the teams it suits, and the energy estimate.

Policy 5: a team at capability 1 or 2 should not run fine-tuning itself and should be offered a
managed service; the offer is priced from dated, sourced data and carries the providers' own
dated notices about retiring fine-tuned models. Energy is board power x GPU-hours x PUE.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from app.assessments.store import StoredAssessment
from app.cost_model.catalogue import load_catalogue, read_data
from app.cost_model.energy import energy_data, footprint, kwh
from app.cost_model.managed import managed_data
from app.cost_model.ranges import Range
from app.questions import RecommendationRequest
from app.report.render import render_html, render_pdf
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.managed import notice_rows
from app.views.risks import risks
from tests.pages import check_page

CAPABLE_TEAM: dict[str, Any] = {
    "objective": "behaviour",
    "domain_vocabulary": "specialised",
    "output_consistency": "consistent_tone",
    "labelled_examples": 3000,
    "data_freshness": "monthly",
    "citations_required": False,
    "latency_p99_ms": 2000,
    "ml_capability": 4,
    "budget_usd": 10000,
}
NO_ML_ENGINEERS = CAPABLE_TEAM | {"ml_capability": 1}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _run(answers: dict[str, Any], **context: Any) -> Recommendation:
    return recommend(RecommendationRequest.model_validate({"answers": answers, "context": context}))


def _dated(value: str) -> bool:
    return bool(ISO_DATE.match(value)) and date.fromisoformat(value) <= date(2026, 12, 7)


# --- The price data: every figure with its page and its date -----------------------------------


def test_every_managed_price_has_its_page_and_date() -> None:
    data = managed_data()
    assert _dated(data.read)
    assert data.offers, "at least one provider's published prices"
    for offer in data.offers:
        assert _dated(offer["as_of"]), offer["id"]
        assert "https://" in offer["training_source"], offer["id"]
        assert "https://" in offer["serving_source"], offer["id"]
        for price in offer["prices"]:
            assert price["training_usd_per_mtok"] > 0, offer["id"]
        if offer["serving"] == "dedicated":
            assert offer["serving_usd_per_gpu_hour"] > 0, offer["id"]
        else:  # per token: every price row carries its input and output prices
            assert all("serving_output_usd_per_mtok" in p for p in offer["prices"]), offer["id"]


def test_every_provider_notice_is_dated_and_sourced() -> None:
    for row in read_data("managed_fine_tuning.toml")["notices"]:
        assert _dated(row["date"]), row
        assert "https://" in row["source"], row
        assert "read 2026-" in row["source"], row


def test_every_catalogue_gpu_has_a_sourced_board_power() -> None:
    data = energy_data()
    gpus = set(load_catalogue().gpus)
    assert set(data.board_power_w) == gpus
    assert set(data.board_power_source) == gpus
    for gpu, watts in data.board_power_w.items():
        assert 50 <= watts <= 1500, gpu
        assert "https://" in data.board_power_source[gpu], gpu
    assert "https://" in data.pue_source
    assert "https://" in data.grid_source
    assert data.pue.low <= data.pue.expected <= data.pue.high


# --- Who is offered it --------------------------------------------------------------------------


def test_a_team_without_ml_engineers_sees_a_costed_managed_option() -> None:
    r = _run(NO_ML_ENGINEERS)
    option = next(o for o in r.cost.options if o.line == "managed")
    assert option.eligible, option.why_not
    assert not option.recommended
    assert option.serving_kind == "hosted"
    assert "managed" in option.label
    assert "read 2026-" in option.price_source
    assert r.cost.build_usd["managed"] > 0
    assert r.cost.monthly_serving["managed"] > 0
    assert any(s.approach == "managed" for s in r.cost.series)
    m = r.cost.managed_fine_tuning
    assert m is not None
    chosen = next(o for o in m.offers if o.id == m.chosen)
    assert chosen.available
    # build = training tokens x price per run, plus scoring, over the programme's runs
    training = chosen.training_tokens_per_run * chosen.training_usd_per_mtok / 1e6
    assert chosen.build_usd.expected >= training * chosen.runs
    assert chosen.build_usd.low <= chosen.build_usd.expected <= chosen.build_usd.high
    requests, inp, out = 50_000, 1_000, 250  # the documented default traffic
    serving = (
        requests
        * (inp * chosen.serving_input_usd_per_mtok + out * chosen.serving_output_usd_per_mtok)
        / 1e6
    )
    if chosen.serving_gpus:  # a dedicated deployment is billed by the GPU-hour, used or not
        assert chosen.serving_usd_per_gpu_hour is not None
        serving = chosen.serving_gpus * chosen.serving_usd_per_gpu_hour * 730
    assert chosen.monthly_serving_usd == pytest.approx(serving, abs=0.01)
    assert r.cost.monthly_serving["managed"] == pytest.approx(serving, abs=0.01)


def test_a_provider_closed_to_new_teams_is_listed_but_never_chosen() -> None:
    m = _run(NO_ML_ENGINEERS).cost.managed_fine_tuning
    assert m is not None
    openai = next(o for o in m.offers if o.provider == "OpenAI")
    assert not openai.available
    assert "6 January 2027" in (openai.why_unavailable or "")
    assert m.chosen != openai.id


def test_a_capable_team_is_not_pushed_to_a_managed_service() -> None:
    r = _run(CAPABLE_TEAM)
    assert r.cost.managed_fine_tuning is None
    assert "managed" not in r.cost.monthly
    assert all(o.line != "managed" for o in r.cost.options)
    assert all(s.approach != "managed" for s in r.cost.series)
    assert not any("managed fine-tuning service ties" in k.text for k in risks(r))


def test_on_prem_rules_the_managed_option_out_and_it_never_wins_a_crossover() -> None:
    r = _run(NO_ML_ENGINEERS, on_prem_required=True)
    option = next(o for o in r.cost.options if o.line == "managed")
    assert not option.eligible
    assert "own infrastructure" in (option.why_not or "")
    assert all(x.approach != "managed" for x in r.cost.crossovers)


def test_too_few_examples_rule_managed_fine_tuning_out_too() -> None:
    r = _run(NO_ML_ENGINEERS | {"labelled_examples": 100})
    option = next(o for o in r.cost.options if o.line == "managed")
    assert not option.eligible
    assert "labelled examples" in (option.why_not or "")


def test_the_lock_in_risk_quotes_the_providers_dated_pages() -> None:
    """Short and without web addresses (issue 22): the providers and their notices' dates; the
    notices themselves, with their pages, are listed beside the managed offers."""
    r = _run(NO_ML_ENGINEERS)
    found = [k for k in risks(r) if "managed fine-tuning service" in k.text]
    assert len(found) == 1
    risk = found[0]
    assert "OpenAI" in risk.text
    assert "OpenAI's notice of 2026-05-07" in risk.source
    assert "http" not in risk.text + risk.source
    assert any("deprecations" in n.source for n in notice_rows(r))


# --- Page, API, PDF -----------------------------------------------------------------------------


def test_the_api_page_and_pdf_show_the_managed_option(client: TestClient) -> None:
    body: dict[str, Any] = {"answers": NO_ML_ENGINEERS}
    api = client.post("/api/v1/recommendations", json=body)
    assert api.status_code == 200
    cost = api.json()["cost"]
    assert cost["managed_fine_tuning"]["chosen"]
    assert next(o for o in cost["options"] if o["line"] == "managed")["eligible"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "ManagedFineTuning" in schema
    assert "Energy" in schema

    created = client.post("/api/v1/assessments", json=body | {"title": "No ML team"}).json()["id"]
    page = client.get(f"/assessments/{created}")
    assert page.status_code == 200
    check_page(page.text)
    assert 'id="managed-table"' in page.text
    assert "Fireworks AI" in page.text
    assert "fine-tuned and served by" in page.text
    monthly = page.text[page.text.index('id="monthly-table"') :]
    assert "fine-tuned and served by" in monthly[: monthly.index("</table>")]

    result = Recommendation.model_validate(api.json())
    stored = StoredAssessment.of(
        result,
        assessment_id="managed",
        title="No ML team",
        created_at=datetime(2026, 11, 26, tzinfo=UTC),
    )
    html = render_html(stored)
    assert "Managed fine-tuning services" in html
    assert "fine-tuned and served by" in html
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(stored))).pages)
    flat = "".join(text.split())
    assert "Managedfine-tuningservices" in flat
    assert "fine-tunedandservedbyTogetherAI" in flat
    assert "OpenAI,2026-05-07" in flat  # the providers' dated notices, beside the offers


def test_the_report_appendix_carries_the_energy_estimate() -> None:
    stored = StoredAssessment.of(
        _run(CAPABLE_TEAM),
        assessment_id="energy",
        title="Capable team",
        created_at=datetime(2026, 11, 26, tzinfo=UTC),
    )
    html = render_html(stored)
    appendix = html[html.index('id="appendix"') :]
    assert "Energy and estimated emissions" in appendix
    assert "kWh" in appendix
    assert "CO2e" in appendix
    assert "Ember" in appendix


def test_a_capable_team_page_has_no_managed_section(client: TestClient) -> None:
    created = client.post("/api/v1/assessments", json={"answers": CAPABLE_TEAM}).json()["id"]
    page = client.get(f"/assessments/{created}").text
    assert 'id="managed-table"' not in page
    assert 'id="energy"' in page  # the estimate, collapsed
    check_page(page)


# --- Energy -------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.floats(1, 2000),
    st.floats(0, 1e5),
    st.floats(1, 3),
)
def test_energy_is_power_times_hours_times_pue(watts: float, hours: float, pue: float) -> None:
    assert kwh(watts, hours, pue) == pytest.approx(watts * hours * pue / 1000)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(load_catalogue().gpus)),
    st.lists(st.floats(0, 1e5), min_size=3, max_size=3).map(sorted),
)
def test_the_energy_band_holds_its_expected_value(gpu: str, hours: list[float]) -> None:
    f = footprint(gpu, Range(hours[0], hours[1], hours[2]))
    assert f.kwh.low <= f.kwh.expected <= f.kwh.high
    assert f.co2e_kg.low <= f.co2e_kg.expected <= f.co2e_kg.high
    data = energy_data()
    assert f.kwh.expected == pytest.approx(
        data.board_power_w[gpu] * hours[1] * data.pue.expected / 1000
    )
    assert f.co2e_kg.expected == pytest.approx(f.kwh.expected * data.grid_gco2e_per_kwh / 1000)


def test_the_result_carries_the_training_and_serving_energy() -> None:
    r = _run(CAPABLE_TEAM)
    e = r.energy
    assert e is not None
    assert e.training is not None
    assert e.serving_month is not None
    t = r.cost.training
    assert t is not None
    hours = t.gpu_hours_per_experiment * t.runs
    assert e.training.gpu_hours.expected == pytest.approx(hours, rel=0.01)
    expected = e.training.board_power_w * e.training.gpu_hours.expected * e.pue.expected / 1000
    assert e.training.kwh.expected == pytest.approx(expected, rel=0.01)
    for f in (e.training, e.serving_month):
        assert f.kwh.low <= f.kwh.expected <= f.kwh.high
    assert e.serving_month.gpu_hours.expected == 730 * e.serving_month.gpus
    assert any("Ember" in a for a in e.assumptions)
    assert any("Uptime" in a for a in e.assumptions)
