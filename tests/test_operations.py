"""Operations on real servers (`python -m app serve`, as `make run` and the image start it):
/readyz with the table dropped and with Redis down, the draining phase after SIGTERM, and
every log line one JSON object with no assessment id in it.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.db import make_engine
from tests.conftest import BASE_ANSWERS, fresh_postgres_schema
from tests.servers import GENEROUS_LIMITS, free_port, start_serve, stop, wait_healthy

pytestmark = pytest.mark.postgres

KEY = {"id": "ops-portal", "team": "ops", "key": "ops-secret-key-000001"}
STARTUP_S = 300
"""Importing the app took 80 s on the shared 2-core machine under load."""
AUTH = {"authorization": f"Bearer {KEY['key']}"}


@pytest.fixture
def schema_url(postgres_url: str) -> Iterator[str]:
    with fresh_postgres_schema(postgres_url, "tunewise_ops") as url:
        yield url


def _env(url: str, **more: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "TUNEWISE_API_KEYS": json.dumps([KEY]),
        "TUNEWISE_LOG_REQUESTS": "true",
        **GENEROUS_LIMITS,
        **more,
    }


def test_readiness_fails_with_the_assessments_table_dropped(
    schema_url: str, redis_url: str
) -> None:
    server = start_serve(_env(schema_url, TUNEWISE_RATE_LIMIT_STORAGE=redis_url))
    try:
        wait_healthy(server, "/readyz", timeout_s=STARTUP_S)
        ready = httpx.get(f"{server.base}/readyz").json()
        assert (ready["database"], ready["schema"], ready["redis"]) == ("ok", "ok", "ok")
        engine = make_engine(schema_url)
        try:
            with engine.begin() as conn:
                conn.execute(text("DROP TABLE assessments"))
        finally:
            engine.dispose()
        response = httpx.get(f"{server.base}/readyz")
        assert response.status_code == 503
        assert response.json()["down"] == ["schema"]
        assert "assessments" in response.json()["schema"]
        assert int(response.headers["retry-after"]) > 0
        assert httpx.get(f"{server.base}/healthz").status_code == 200  # liveness stays trivial
    finally:
        stop(server)


def test_redis_down_the_drain_and_json_logs(schema_url: str, tmp_path: Path) -> None:
    closed = f"redis://127.0.0.1:{free_port()}"  # nothing listens there
    log_path = tmp_path / "stderr.log"
    env = _env(schema_url, TUNEWISE_RATE_LIMIT_STORAGE=closed, TUNEWISE_SERVER_DRAIN_S="4")
    with log_path.open("wb") as log:
        server = start_serve(env, stderr=log)
        try:
            wait_healthy(server, timeout_s=STARTUP_S)
            with httpx.Client(base_url=server.base, timeout=30) as c:
                down = c.get("/readyz")
                assert down.status_code == 503
                assert down.json()["down"] == ["redis"]
                assert down.json()["database"] == "ok"
                # The limits fail open (and say so in the log, with the traceback).
                made = c.post("/api/v1/assessments", json={"answers": BASE_ANSWERS}, headers=AUTH)
                assert made.status_code == 201
                assessment_id = made.json()["id"]
                assert c.get(made.json()["links"]["self"], headers=AUTH).status_code == 200
                server.proc.send_signal(signal.SIGTERM)
                draining = _wait_for_drain(c)
                assert draining["down"] == ["redis", "draining"]
                assert c.get("/healthz").status_code == 200  # still serving while draining
            server.proc.wait(timeout=30)
        finally:
            stop(server)
    lines = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
    assert lines
    for line in lines:
        assert {"timestamp", "level", "logger", "message", "request_id", "key_id"} <= line.keys()
    requests = [line for line in lines if line.get("event") == "request"]
    read = next(r for r in requests if r["route"] == "/api/v1/assessments/{assessment_id}")
    assert read["key_id"] == KEY["id"]
    assert len(read["request_id"]) == 32
    assert read["path"].startswith("/api/v1/assessments/<id:")
    assert assessment_id not in log_path.read_text(encoding="utf-8")
    tracebacks = [line for line in lines if "exc_info" in line]
    assert any("Traceback" in line["exc_info"] for line in tracebacks)
    assert any("draining" in line["message"] for line in lines)


def _wait_for_drain(client: httpx.Client) -> dict[str, Any]:
    """/readyz after SIGTERM: 503 with `draining` within a few polls (the signal is async)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        response = client.get("/readyz")
        body: dict[str, Any] = response.json()
        if "draining" in body["down"]:
            assert response.status_code == 503
            assert int(response.headers["retry-after"]) > 0
            return body
        time.sleep(0.05)
    pytest.fail("/readyz never said draining after SIGTERM")
