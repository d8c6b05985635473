"""The seed scenarios of ../shared/spec, through the public API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import shared_spec


def _scenarios() -> list[Any]:
    try:
        return [pytest.param(s, id=s["id"]) for s in shared_spec("scenarios.json")["scenarios"]]
    except pytest.skip.Exception:
        return [pytest.param(None, id="shared-spec-absent")]


@pytest.mark.parametrize("scenario", _scenarios())
def test_scenario_gets_expected_recommendation(client: TestClient, scenario: Any) -> None:
    if scenario is None:
        shared_spec("scenarios.json")
    response = client.post(
        "/api/v1/recommendations",
        json={"answers": scenario["answers"], "context": scenario["context"]},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    expect = scenario["expect"]
    assert result["approach"] == expect["approach"], result["summary"]
    for complement in expect.get("complements_include", []):
        assert complement in result["complements"]
    plan = expect.get("plan", {})
    if "adapter_strategy" in plan:
        assert result["plan"]["adapter_strategy"] == plan["adapter_strategy"]
    if "base_model_max_b" in plan:
        assert result["plan"]["base_model_params_b"] <= plan["base_model_max_b"]
    if "crossover_with_api_by_month" in expect:
        months = [
            c["month"]
            for c in result["cost"]["crossovers"]
            if c["approach"] == expect["approach"] and c["versus"] == "api"
        ]
        assert months, result["cost"]["crossovers"]
        assert months[0] <= expect["crossover_with_api_by_month"]
