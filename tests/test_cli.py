"""`python -m app recommend`: the API's bytes on stdout, the API's messages on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.cli import problem_detail
from app.questions import RecommendationRequest
from tests.conftest import BASE_ANSWERS

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app", *args],
        input=stdin.encode(),
        capture_output=True,
        cwd=ROOT,
        check=False,
    )


def test_cli_prints_the_same_bytes_as_the_api(client: TestClient, tmp_path: Path) -> None:
    body = {"answers": BASE_ANSWERS, "context": {"tenants": 2}}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body))
    from_file = _run("recommend", str(path))
    from_stdin = _run("recommend", "-", stdin=json.dumps(body))
    api = client.post("/api/v1/recommendations", json=body).content
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout == api + b"\n"
    assert from_stdin.stdout == from_file.stdout


def test_cli_reports_each_bad_field_and_exits_non_zero() -> None:
    result = _run("recommend", "-", stdin=json.dumps({"answers": {"ml_capability": 7}}))
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "answers.ml_capability:" in err
    assert "answers.objective: This field is required." in err


def test_cli_reports_malformed_json_and_missing_files() -> None:
    assert _run("recommend", "-", stdin="{oops").returncode == 2
    missing = _run("recommend", "/nonexistent/request.json")
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr.decode()


def _body(examples: int, **context: Any) -> dict[str, Any]:
    return {"answers": {**BASE_ANSWERS, "labelled_examples": examples}, "context": context}


def test_jsonl_writes_one_result_per_line_in_order(client: TestClient, tmp_path: Path) -> None:
    bodies = [_body(100), _body(5000, tenants=3), _body(400_000, on_prem_required=True)]
    path = tmp_path / "requests.jsonl"
    path.write_text("".join(json.dumps(b) + "\n" for b in bodies))
    from_file = _run("recommend", "--jsonl", str(path))
    from_stdin = _run("recommend", "--jsonl", stdin=path.read_text())
    assert from_file.returncode == 0, from_file.stderr
    api = [client.post("/api/v1/recommendations", json=b).content for b in bodies]
    assert from_file.stdout.split(b"\n") == [*api, b""]
    assert len(set(api)) == len(api)  # distinct answers: the order is what is checked
    assert from_stdin.stdout == from_file.stdout


def test_jsonl_answers_each_bad_line_with_a_problem_detail_on_its_line() -> None:
    good = json.dumps(_body(5000))
    lines = [good, "{oops", json.dumps({"answers": {**BASE_ANSWERS, "ml_capability": 7}}), good]
    result = _run("recommend", "--jsonl", "-", stdin="\n".join(lines) + "\n")
    assert result.returncode == 2
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(out) == 4
    assert out[0] == out[3]
    assert out[0]["approach"]
    malformed, out_of_range = out[1], out[2]
    for problem in (malformed, out_of_range):
        assert set(problem) == {"type", "title", "status", "detail", "errors"}
        assert problem["status"] == 422
    assert malformed["errors"][0]["pointer"] == ""
    assert malformed["errors"][0]["code"] == "json_invalid"
    assert "not valid JSON" in malformed["errors"][0]["message"]
    [problem] = out_of_range["errors"]
    assert problem["pointer"] == "/answers/ml_capability"
    assert problem["code"] == "less_than_equal"
    assert "5" in problem["message"]
    assert "2 line(s)" in result.stderr.decode()


def test_jsonl_exit_status_and_unreadable_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    nothing = _run("recommend", "--jsonl", str(empty))
    assert (nothing.returncode, nothing.stdout) == (0, b"")
    blank = _run("recommend", "--jsonl", "-", stdin=json.dumps(_body(5000)) + "\n\n")
    assert blank.returncode == 2  # a blank line is a bad line, so results stay line for line
    assert len(blank.stdout.splitlines()) == 2
    missing = _run("recommend", "--jsonl", "/nonexistent/requests.jsonl")
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr.decode()


def test_a_problem_detail_points_at_each_field_by_json_pointer() -> None:
    with pytest.raises(ValidationError) as caught:
        RecommendationRequest.model_validate({"answers": BASE_ANSWERS, "context": {"a/b~c": 1}})
    problem = problem_detail(caught.value.errors())
    assert problem["errors"] == [
        {
            "pointer": "/context/a~1b~0c",
            "code": "extra_forbidden",
            "message": "This field is not recognised; check its spelling against the catalogue.",
            "field": "context.a/b~c",
        }
    ]
    assert (problem["status"], problem["title"]) == (422, "The request has problems")


HEAVY = (
    *("fastapi", "starlette", "jinja2", "weasyprint", "sqlalchemy", "uvicorn", "alembic"),
    "genai_prices",  # a model our data names is read from its excerpt (issue 25, the CLI)
)
IMPORTS = (
    "import sys\n"
    "from app.__main__ import main\n"
    "code = main(sys.argv[1:])\n"
    f"sys.stderr.write('LOADED:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    "sys.exit(code)\n"
)


@pytest.mark.parametrize("jsonl", [False, True], ids=["one", "jsonl"])
def test_recommend_imports_no_web_framework_templates_pdf_or_database(
    tmp_path: Path, jsonl: bool
) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(_body(5000)))
    args = ["recommend", *(["--jsonl"] if jsonl else []), str(path)]
    result = subprocess.run(  # noqa: S603  # our own interpreter and a fixed script
        [sys.executable, "-c", IMPORTS, *args], capture_output=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.decode().rsplit("LOADED:", 1)[1] == ""
