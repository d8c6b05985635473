"""`python -m app recommend`: the API's bytes on stdout, the API's messages on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

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
