"""schemathesis against /openapi.json: no server error, and every response fits the schema.

Bounded (a few examples per operation) so it stays a few seconds in `make test`. Configured by
the repository's schemathesis.toml, read here by path whatever the working directory: no crash
cache, so a run writes nothing into the tree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from app.config import Settings
from app.cost_model.prices import DEFAULT_REFERENCE_API_MODEL, resolve_api_model
from app.main import create_app

_DB = Path(tempfile.mkdtemp(prefix="tunewise-schema-")) / "tunewise.sqlite3"
APP = create_app(Settings(database_url=f"sqlite:///{_DB}", log_requests=False))
CONFIG = SchemathesisConfig.from_path(Path(__file__).resolve().parents[1] / "schemathesis.toml")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@schemathesis.serializer("application/pdf")
def _pdf_bytes(ctx: Any, value: Any) -> bytes:  # the serializer signature
    """The import's raw PDF body: what was generated for a binary string, as bytes."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _priced_reference_model(case: Any) -> None:
    """The schema can't list the 2,330 model ids of the price dataset that reference_api_model
    accepts (it says so and points at GET /api/v1/questions): a string the dataset does not know
    becomes the default. A non-string stays, so the negative cases keep their mutation."""
    context = case.body.get("context") if isinstance(case.body, dict) else None
    if isinstance(context, dict) and isinstance(context.get("reference_api_model"), str):
        try:
            resolve_api_model(context["reference_api_model"])
        except ValueError:
            context["reference_api_model"] = DEFAULT_REFERENCE_API_MODEL


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_schema(case: Any) -> None:
    """Every schemathesis check (`--checks all`): no server error, the documented status codes,
    headers, content types and bodies, schema-valid requests accepted, invalid ones refused."""
    _priced_reference_model(case)
    excluded = []
    if case.operation.path == "/api/v1/assessments/import":
        # Any bytes fit a binary upload's schema, and only a Tunewise report is accepted.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(excluded_checks=excluded)


def _valid_body(**answers: Any) -> dict[str, Any]:
    from tests.conftest import BASE_ANSWERS  # noqa: PLC0415

    return {"answers": {**BASE_ANSWERS, **answers}}


def test_a_boolean_is_not_an_amount() -> None:
    """pydantic's lax floats read `false` as 0.0: a budget of `false` was a $0 budget."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    client = TestClient(APP)
    refused = client.post("/api/v1/recommendations", json=_valid_body(budget_usd=False))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "answers.budget_usd"
    estimate = {"method": "lora", "model_size_b": True}
    assert client.post("/api/v1/estimates/training", json=estimate).status_code == 422


def test_a_whole_number_written_with_a_point_is_an_integer() -> None:
    """JSON Schema's integer includes 2.0; strings, booleans and 2.5 stay refused."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    client = TestClient(APP)
    assert client.post("/api/v1/recommendations", json=_valid_body(ml_capability=2.0)).is_success
    for wrong in ("2", True, 2.5):
        body = _valid_body(ml_capability=wrong)
        assert client.post("/api/v1/recommendations", json=body).status_code == 422


def test_the_schema_says_what_the_validators_check() -> None:
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from app.cost_model.catalogue import load_catalogue  # noqa: PLC0415
    from app.questions.models import UNSURE_DEFAULTS  # noqa: PLC0415

    schemas = TestClient(APP).get("/openapi.json").json()["components"]["schemas"]
    context = schemas["Context"]
    gpu = next(o for o in context["properties"]["gpu"]["anyOf"] if o.get("type") == "string")
    assert gpu["enum"] == list(load_catalogue().gpus)
    assert context["not"]["required"] == ["base_model", "model_size_b"]
    size = schemas["TrainingEstimateInput"]["properties"]["model_size_b"]["anyOf"][0]
    assert size["exclusiveMinimum"] == 0.1  # a bound the schema states, not a stray "gt"
    assert schemas["Answers"]["properties"]["budget_usd"]["maximum"] == 100_000_000
    estimate = schemas["TrainingEstimateInput"]
    assert "anyOf" not in estimate  # one class in a generated client, with every property
    assert estimate["then"]["required"] == ["model_size_b"]  # without a model id, a size
    request = schemas["RecommendationRequest"]
    assert {
        rule["if"]["properties"]["unsure"]["contains"]["const"] for rule in request["allOf"]
    } == (set(UNSURE_DEFAULTS))
    assert not set(UNSURE_DEFAULTS) & set(schemas["Answers"]["required"])


def test_operations_have_short_stable_ids_and_a_bearer_scheme() -> None:
    """Generated clients name their functions after these: renaming one breaks callers."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    schema = TestClient(APP).get("/openapi.json").json()
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert sorted(op["operationId"] for op in operations) == [
        "create_assessment",
        "estimate_training",
        "get_assessment",
        "get_recipe",
        "get_report",
        "healthz",
        "import_assessment",
        "list_gpus",
        "list_models",
        "list_questions",
        "list_rules",
        "readyz",
        "recommend",
        "recommend_batch",
        "share_assessment",
    ]
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, item in schema["paths"].items():
        for operation in item.values():
            assert ("security" in operation) == path.startswith("/api/v1/"), path


def test_no_two_schemas_share_a_title() -> None:
    """openapi-python-client names a class after a schema's title: two alike were the
    "duplicate models with name ErrorBody" that dropped every 422 from the client."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    schemas = TestClient(APP).get("/openapi.json").json()["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles))
    assert "Problem" in schemas
    assert "HTTPValidationError" not in schemas


def test_schemathesis_keeps_no_crash_cache_in_the_tree() -> None:
    """Its cache went to .schemathesis/ beside the code and changed on every run (issue 25)."""
    assert CONFIG.config_path is not None
    assert CONFIG.cache.enabled is False
