"""A typed client generated from /openapi.json by openapi-python-client, as an integrator makes
one, without a warning, and used against a real server for every operation.

The generator is told one thing (its documented `content_type_overrides`): to read
`application/pdf` as bytes, which it otherwise skips as a type it does not know.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from app.config import Settings
from app.main import create_app
from tests.conftest import BASE_ANSWERS
from tests.servers import Server, serving

PACKAGE = "tunewise_api_client"
CONFIG = """\
post_hooks: []
content_type_overrides:
  application/pdf: application/octet-stream
  text/x-python: application/octet-stream
  application/yaml: application/octet-stream
"""
KEY = "team-key"


def generate(folder: Path) -> str:
    """Generate the client from the app's schema into `folder`; the generator's output."""
    schema = create_app(Settings(database_url=f"sqlite:///{folder}/schema.sqlite3")).openapi()
    (folder / "openapi.json").write_text(json.dumps(schema), encoding="utf-8")
    (folder / "config.yml").write_text(CONFIG, encoding="utf-8")
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(  # noqa: S603
        [
            str(generator),
            "generate",
            "--path",
            "openapi.json",
            "--output-path",
            "client",
            "--config",
            "config.yml",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, str]]:
    folder = tmp_path_factory.mktemp("client")
    output = generate(folder)
    sys.path.insert(0, str(folder / "client"))
    try:
        yield importlib.import_module(PACKAGE), output
    finally:
        sys.path.remove(str(folder / "client"))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("served")
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'tunewise.sqlite3'}",
        "TUNEWISE_API_KEYS": json.dumps([KEY]),
        "TUNEWISE_LOG_REQUESTS": "false",
        "TUNEWISE_REPORT_PRERENDER": "false",
    }
    with serving("app.main:app", env) as running:
        yield running


def test_the_client_generates_without_a_warning(generated: tuple[ModuleType, str]) -> None:
    _, output = generated
    assert "Warning" not in output, output
    assert "duplicate" not in output.lower(), output


def _call(package: ModuleType, module: str, **kwargs: Any) -> Any:
    """`package.api.<module>.sync_detailed(**kwargs)`: the response, its body parsed."""
    return importlib.import_module(f"{package.__name__}.api.{module}").sync_detailed(**kwargs)


def test_the_generated_client_calls_every_operation(
    generated: tuple[ModuleType, str], server: Server
) -> None:
    package, _ = generated
    with package.AuthenticatedClient(base_url=server.base, token=KEY, timeout=120) as client:
        called = _every_operation(package, client)
    operations = {
        op["operationId"]
        for item in json.loads(_schema_path(package).read_text(encoding="utf-8"))["paths"].values()
        for op in item.values()
    }
    assert called == operations
    wrong = package.AuthenticatedClient(base_url=server.base, token="wrong")  # noqa: S106
    with wrong:
        unauthorised = _call(package, "catalogues.list_gpus", client=wrong)
    assert unauthorised.status_code == 401
    assert unauthorised.parsed.errors[0].code == "api_key_required"


def _every_operation(package: ModuleType, client: Any) -> set[str]:
    """One call of each operation through the generated client; their names."""
    models = importlib.import_module(f"{package.__name__}.models")
    types = importlib.import_module(f"{package.__name__}.types")
    called: set[str] = set()

    def call(module: str, **kwargs: Any) -> Any:
        called.add(module.rsplit(".", 1)[-1])
        return _call(package, module, client=client, **kwargs)

    assert call("health.healthz").parsed.status == "ok"
    assert call("health.readyz").parsed.database == "ok"
    questions = call("catalogues.list_questions").parsed
    assert isinstance(questions, models.QuestionCatalogue)
    assert questions.questions[0].id == "objective"
    assert isinstance(call("catalogues.list_models").parsed, models.ModelCatalogue)
    assert isinstance(call("catalogues.list_gpus").parsed.gpus[0], models.GpuEntry)
    assert call("catalogues.list_rules").parsed.rules_version

    request = models.RecommendationRequest.from_dict({"answers": BASE_ANSWERS})
    recommended = call("recommendations.recommend", body=request)
    assert recommended.status_code == 200
    assert isinstance(recommended.parsed, models.RecommendationWithChart)
    estimate = models.TrainingEstimateInput(
        method=models.Method.QLORA, base_model="llama-3.1-8b", examples=2000
    )
    estimated = call("recommendations.estimate_training", body=estimate).parsed
    assert isinstance(estimated, models.TrainingEstimate)
    assert (estimated.method.value, estimated.runs) == ("qlora", estimated.experiments)

    titled = models.AssessmentRequest.from_dict({"answers": BASE_ANSWERS, "title": "Tone"})
    created = call("assessments.create_assessment", body=titled)
    assert created.status_code == 201
    assessment_id = created.parsed.id
    read = call("assessments.get_assessment", assessment_id=assessment_id).parsed
    assert isinstance(read.answers, models.Answers)  # typed, not a free map
    assert read.answers.budget_usd == BASE_ANSWERS["budget_usd"]
    assert isinstance(read.context, models.Context)

    report = call("reports.get_report", assessment_id=assessment_id)
    assert report.status_code == 200
    pdf = report.parsed.payload.read()
    assert pdf.startswith(b"%PDF")
    recipe = call("reports.get_recipe", assessment_id=assessment_id)
    assert recipe.status_code == 200
    assert b"SFTConfig" in recipe.content
    reopened = call("reports.import_assessment", body=types.File(payload=BytesIO(pdf)))
    assert reopened.status_code == 201
    assert reopened.parsed.input_hash == read.input_hash

    shared = call(
        "assessments.share_assessment",
        assessment_id=assessment_id,
        body=models.Sharing(shared=True),
    )
    assert shared.status_code == 200
    assert shared.parsed.shared is True
    batch = call(
        "recommendations.recommend_batch",
        body=models.BatchRequest.from_dict({"requests": [{"answers": BASE_ANSWERS}]}),
    )
    assert batch.status_code == 200
    assert batch.parsed.results[0].status == 200

    missing = call("assessments.get_assessment", assessment_id="nope")
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Problem)  # errors are typed too
    assert missing.parsed.errors[0].pointer == "/path/assessment_id"
    return called


def _schema_path(package: ModuleType) -> Path:
    """The schema the package was generated from (beside its project folder)."""
    return Path(package.__file__ or "").parents[2] / "openapi.json"
