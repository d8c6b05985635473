"""The JSON API: catalogues, recommendations, estimates, errors, limits and headers."""

from __future__ import annotations

import gzip
import tomllib
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import GZIP_LEVEL, create_app
from tests.conftest import BASE_ANSWERS

ROOT = Path(__file__).resolve().parents[1]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready == {
        "status": "ok",
        "down": [],
        "database": "ok",
        "schema": "ok",
        "redis": "not configured",
        "draining": "no",
    }


def test_readiness_reports_an_unreachable_database() -> None:
    settings = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings)) as c:
        response = c.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["down"] == ["database"]
    assert response.headers["retry-after"].isdigit()


@pytest.mark.postgres
def test_readiness_on_postgresql(postgres_url: str) -> None:
    with TestClient(create_app(Settings(database_url=postgres_url))) as c:
        ready = c.get("/readyz").json()
        assert {"status": "ok", "database": "ok", "schema": "ok"}.items() <= ready.items()


def test_question_catalogue_has_nine_questions_with_types(client: TestClient) -> None:
    body = client.get("/api/v1/questions").json()
    ids = [q["id"] for q in body["questions"]]
    assert ids == list(BASE_ANSWERS)
    examples = body["questions"][3]
    assert (examples["type"], examples["minimum"], examples["maximum"]) == (
        "integer",
        0,
        10_000_000,
    )
    objective = body["questions"][0]
    assert [o["value"] for o in objective["options"]] == ["knowledge", "behaviour", "both"]
    defaults = {c["id"]: c["default"] for c in body["context"]}
    assert defaults["monthly_requests"] == 50_000
    assert defaults["horizon_months"] == 24


def test_model_and_gpu_catalogues_carry_sources(client: TestClient) -> None:
    models = {m["id"]: m for m in client.get("/api/v1/models").json()["models"]}
    assert models["llama-3.1-70b"]["layers"] == 80
    assert models["qwen-2.5-7b"]["kv_heads"] == 4
    gpus = {g["id"]: g for g in client.get("/api/v1/gpus").json()["gpus"]}
    assert gpus["h100-80gb"]["bf16_dense_tflops"] == 989
    assert all(g["price_source"] and g["price_as_of"] for g in gpus.values())


def test_rule_catalogue_is_versioned(client: TestClient) -> None:
    body = client.get("/api/v1/rules").json()
    assert body["rules_version"]
    assert all(r["source"] and r["reason"] for r in body["rules"])


def test_recommendation_is_byte_identical_across_calls(client: TestClient) -> None:
    body = {"answers": BASE_ANSWERS, "context": {"tenants": 3}}
    first = client.post("/api/v1/recommendations", json=body)
    second = client.post("/api/v1/recommendations", json=body)
    assert first.status_code == 200
    assert first.content == second.content
    result = first.json()
    for key in ("rules_version", "cost_model_version", "prices_as_of", "input_hash"):
        assert result[key]


def test_an_explicit_default_means_the_same_input(client: TestClient) -> None:
    implicit = client.post("/api/v1/recommendations", json={"answers": BASE_ANSWERS}).json()
    explicit = client.post(
        "/api/v1/recommendations",
        json={"answers": BASE_ANSWERS, "context": {"monthly_requests": 50_000}},
    ).json()
    assert implicit["input_hash"] == explicit["input_hash"]


def test_each_bad_field_gets_its_own_message(client: TestClient) -> None:
    answers = {**BASE_ANSWERS, "labelled_examples": -5, "ml_capability": 9}
    del answers["objective"]
    response = client.post("/api/v1/recommendations", json={"answers": answers})
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {
        "answers.labelled_examples",
        "answers.ml_capability",
        "answers.objective",
    }
    assert fields["answers.objective"] == "This field is required."
    assert "greater than or equal to 0" in fields["answers.labelled_examples"]


def test_unknown_fields_are_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/recommendations",
        json={"answers": {**BASE_ANSWERS, "budget": 5}, "context": {"gpus": "a100-80gb"}},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"answers.budget", "context.gpus"}


def test_unknown_catalogue_ids_list_the_known_ones(client: TestClient) -> None:
    response = client.post(
        "/api/v1/recommendations",
        json={"answers": BASE_ANSWERS, "context": {"base_model": "gpt-2", "gpu": "tpu-v5"}},
    )
    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "llama-3.1-8b" in messages["context.base_model"]
    assert "a100-80gb" in messages["context.gpu"]


def test_a_reference_model_missing_from_the_price_data_is_a_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/recommendations",
        json={"answers": BASE_ANSWERS, "context": {"reference_api_model": "no-such-model-x"}},
    )
    assert response.status_code == 422
    assert "unknown API model" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("payload", [b"{not json", b"[]", b"", b"null", b'{"answers": 3}'])
def test_malformed_bodies_are_client_errors(client: TestClient, payload: bytes) -> None:
    response = client.post(
        "/api/v1/recommendations", content=payload, headers={"content-type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.json()["errors"]


def test_oversized_bodies_get_413(client: TestClient) -> None:
    response = client.post(
        "/api/v1/recommendations",
        content=b" " * 1_100_000,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_security_headers_on_every_response(client: TestClient) -> None:
    for response in (client.get("/healthz"), client.get("/nope")):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_training_estimate_has_breakdowns_and_ranges(client: TestClient) -> None:
    response = client.post(
        "/api/v1/estimates/training", json={"method": "lora", "base_model": "llama-3.1-8b"}
    )
    assert response.status_code == 200
    body = response.json()
    parts = {c["component"] for c in body["memory_breakdown"]}
    assert {"frozen_weights", "adapters_and_optimizer", "activations", "logits"} <= parts
    assert sum(c["gb"] for c in body["memory_breakdown"]) == pytest.approx(
        body["peak_memory_gb"], abs=0.01
    )
    rng = body["total_usd_range"]
    assert rng["low"] <= body["total_usd"] <= rng["high"]
    assert body["experiments"] == 20


@pytest.mark.parametrize(
    "body",
    [
        {"base_model": "llama-3.1-8b"},
        {"method": "lora"},
        {"method": "lora", "base_model": "llama-3.1-8b", "model_size_b": 8},
        {"method": "dora", "base_model": "llama-3.1-8b"},
        {"method": "lora", "base_model": "llama-3.1-8b", "seq_len": 0},
    ],
)
def test_training_estimate_validates(client: TestClient, body: dict[str, object]) -> None:
    assert client.post("/api/v1/estimates/training", json=body).status_code == 422


def test_openapi_describes_the_versioned_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/recommendations", "/api/v1/estimates/training", "/api/v1/questions"} <= set(
        paths
    )


def test_genai_prices_date_moves_with_its_pin() -> None:
    """The locked genai-prices version must be the one whose release date we record."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = next(p["version"] for p in lock["package"] if p["name"] == "genai-prices")
    prices = tomllib.loads((ROOT / "app/cost_model/data/prices.toml").read_text())
    assert prices["genai_prices"]["version"] == locked, "update released= beside the new pin"


def test_live_prices_are_opt_in_and_say_so(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Intranets are offline: no fetch by default; a connected deployment may opt in."""
    started: list[str] = []

    class FakeUpdater:
        def start(self, *, wait: bool) -> None:
            started.append(f"start wait={wait}")

        def stop(self) -> None:
            started.append("stop")

    monkeypatch.setattr("genai_prices.UpdatePrices", FakeUpdater)  # imported when live starts
    with TestClient(create_app(settings)) as c:
        offline = c.post("/api/v1/recommendations", json={"answers": BASE_ANSWERS}).json()
    assert started == []
    assert offline["prices_as_of"] == "2026-11-10"
    live_settings = settings.model_copy(update={"prices_live_update": True})
    with TestClient(create_app(live_settings)) as c:
        live = c.post("/api/v1/recommendations", json={"answers": BASE_ANSWERS}).json()
    assert started == ["start wait=False", "stop"]
    assert live["prices_as_of"].startswith("live")


def test_unsure_answers_take_the_conservative_default_and_lower_confidence(
    client: TestClient,
) -> None:
    """An unsure answer takes its default; it lowers the confidence only when another likely
    value of it changes the recommendation (199 examples instead of the assumed 200 rules
    fine-tuning out), not when none does (no budget from $500 to $50,000 changes LoRA here)."""

    def post(question: str, **extra: Any) -> dict[str, Any]:
        answers = {k: v for k, v in BASE_ANSWERS.items() if k != question}
        body = {"answers": {**answers, **extra}, "unsure": [question] if not extra else []}
        response = client.post("/api/v1/recommendations", json=body)
        return dict(response.json())

    levels = ["low", "medium", "high"]
    sure, unsure = post("budget_usd", budget_usd=5000), post("budget_usd")
    assert unsure["answers"]["budget_usd"] == 5000
    assert unsure["assumptions"][0]["question"] == "budget_usd"
    assert unsure["confidence"]["level"] == sure["confidence"]["level"]
    assert "no likely answer would change" in unsure["confidence"]["explanation"]
    assert unsure["input_hash"] != sure["input_hash"]
    sure, unsure = post("labelled_examples", labelled_examples=200), post("labelled_examples")
    assert any(c["change"] == {"labelled_examples": 199} for c in unsure["counterfactuals"])
    assert levels.index(unsure["confidence"]["level"]) == max(
        0, levels.index(sure["confidence"]["level"]) - 1
    )
    assert "would change the recommendation" in unsure["confidence"]["explanation"]
    questions = {q["id"]: q for q in client.get("/api/v1/questions").json()["questions"]}
    assert questions["budget_usd"]["unsure"]["default"] == 5000


def test_an_unsure_answer_that_is_not_the_default_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/recommendations", json={"answers": BASE_ANSWERS, "unsure": ["budget_usd"]}
    )
    assert response.status_code == 422
    assert "conservative default" in response.json()["errors"][0]["message"]


def test_the_largest_models_are_served_across_nodes(client: TestClient) -> None:
    """Found by schemathesis: a 999B model fitted no GPU for serving and answered 500."""
    body = {"answers": BASE_ANSWERS, "context": {"model_size_b": 999}}
    response = client.post("/api/v1/recommendations", json=body)
    assert response.status_code == 200
    assert response.json()["cost"]["serving_plans"]["full_fine_tuning"]["kind"] == "self_host"


def test_repeated_requests_get_the_same_bytes_from_the_cache(client: TestClient) -> None:
    cache = client.app.state.answer_cache  # type: ignore[attr-defined]
    body = {"answers": {**BASE_ANSWERS, "labelled_examples": 4321}}
    first = client.post("/api/v1/recommendations", json=body).content
    hits = cache.hits
    assert client.post("/api/v1/recommendations", json=body).content == first
    assert cache.hits == hits + 1


def test_each_app_has_its_own_answer_cache(settings: Settings) -> None:
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        assert one.app.state.answer_cache is not two.app.state.answer_cache  # type: ignore[attr-defined]


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        env = "DATABASE_URL" if name == "database_url" else f"TUNEWISE_{name.upper()}"
        assert f"`{env}`" in readme, f"{env} is missing from the README's configuration table"


def test_answers_are_compressed_at_the_chosen_level(client: TestClient) -> None:
    """A gzip answer's deflate stream is its body compressed at GZIP_LEVEL (not Starlette's
    default 9, which took 40% longer on the event loop for 0.5% fewer bytes)."""
    body = {"answers": BASE_ANSWERS}
    identity = client.post("/api/v1/recommendations", json=body).content
    with client.stream(
        "POST", "/api/v1/recommendations", json=body, headers={"accept-encoding": "gzip"}
    ) as response:
        assert response.headers["content-encoding"] == "gzip"
        raw = b"".join(response.iter_raw())
    assert gzip.decompress(raw) == identity
    deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    stream = deflate.compress(identity) + deflate.flush()
    assert raw[10 : 10 + len(stream)] == stream  # after the 10-byte gzip header
