"""The seeds' own figures (../shared/spec/cost-checks.json), through the estimate endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import shared_spec


def _cases(section: str) -> list[Any]:
    try:
        rows = shared_spec("cost-checks.json")[section]
    except pytest.skip.Exception:
        return [pytest.param(None, id="shared-spec-absent")]
    return [pytest.param(row, id=row["id"]) for row in rows]


def _estimate(client: TestClient, check: dict[str, Any]) -> dict[str, Any]:
    body = {
        key: check[key]
        for key in ("method", "base_model", "model_size_b", "gpu", "examples")
        if key in check
    }
    response = client.post("/api/v1/estimates/training", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize("check", _cases("training_programme_total_usd"))
def test_programme_total_in_seed_range(client: TestClient, check: Any) -> None:
    if check is None:
        shared_spec("cost-checks.json")
    low, high = check["range"]
    assert low <= _estimate(client, check)["total_usd"] <= high


@pytest.mark.parametrize("check", _cases("per_experiment"))
def test_per_experiment_in_seed_range(client: TestClient, check: Any) -> None:
    if check is None:
        shared_spec("cost-checks.json")
    result = _estimate(client, check)
    low, high = check["usd_range"]
    assert low <= result["per_experiment_usd"] <= high
    if "gpu_hours_range" in check:
        low, high = check["gpu_hours_range"]
        assert low <= result["gpu_hours_per_experiment"] <= high


@pytest.mark.parametrize("check", _cases("memory"))
def test_memory_matches_seed(client: TestClient, check: Any) -> None:
    if check is None:
        shared_spec("cost-checks.json")
    result = _estimate(client, check)
    if "max_peak_gb" in check:
        assert result["peak_memory_gb"] <= check["max_peak_gb"]
        assert result["fits_gpu"]
    if "min_peak_gb" in check:
        assert result["peak_memory_gb"] >= check["min_peak_gb"]
    if "fits_gpu" in check:
        assert result["fits_gpu"] is check["fits_gpu"]


@pytest.mark.parametrize("check", _cases("serving_monthly_usd"))
def test_serving_matches_seed(client: TestClient, check: Any) -> None:
    if check is None:
        shared_spec("cost-checks.json")
    scenarios = {s["id"]: s for s in shared_spec("scenarios.json")["scenarios"]}
    scenario = scenarios[check["scenario"]]
    response = client.post(
        "/api/v1/recommendations",
        json={"answers": scenario["answers"], "context": scenario["context"]},
    )
    monthly = response.json()["cost"]["monthly_serving"]
    low, high = check["range"]
    assert low <= monthly[check["approach"]] <= high
    low, high = check["api_range"]
    assert low <= monthly["api"] <= high
