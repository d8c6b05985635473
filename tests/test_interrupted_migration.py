"""A first start killed mid-migration leaves SQLite as it found it (issue 21, F4).

Before, the first migration created the tables one by one, each committed at once by the
SQLite driver, and recorded its revision last: a `kill -9` in between left tables and no
revision, so every later start failed on "table assessments already exists", every database
route answered 503 and /readyz still said 200. Here a real `python -m app serve` is killed by
SIGKILL right after its first CREATE TABLE, then started again on the same file.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import BASE_ANSWERS
from tests.servers import ROOT, free_port, start_serve, stop, wait_healthy

KILLED_AFTER_THE_FIRST_TABLE = """
import os, signal, sys
from sqlalchemy import Engine, event

def die_after_the_first_table(conn, cursor, statement, *args):
    if statement.lstrip().upper().startswith("CREATE TABLE ASSESSMENTS"):
        os.kill(os.getpid(), signal.SIGKILL)

event.listen(Engine, "after_cursor_execute", die_after_the_first_table)
from app.__main__ import main
sys.exit(main(["serve", "--port", sys.argv[1], "--no-access-log"]))
"""
"""`python -m app serve`, with one listener added: SIGKILL to itself once the first table of
the first migration is created, the moment a kill -9 hurt most."""


def test_a_first_start_killed_mid_migration_starts_cleanly_next_time(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'first.sqlite3'}"}
    port = free_port()
    killed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", KILLED_AFTER_THE_FIRST_TABLE, str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, "the first start was not killed mid-migration"

    server = start_serve(env, port=port)
    try:
        wait_healthy(server)
        assert httpx.get(f"{server.base}/readyz", timeout=10).status_code == 200
        made = httpx.post(
            f"{server.base}/api/v1/assessments", json={"answers": BASE_ANSWERS}, timeout=30
        )
        assert made.status_code == 201, made.text
        again = httpx.get(f"{server.base}/api/v1/assessments/{made.json()['id']}", timeout=10)
        assert again.status_code == 200
    finally:
        stop(server)


def test_a_schema_the_migrations_cannot_reach_is_not_ready(tmp_path: Path) -> None:
    database = tmp_path / "clashing.sqlite3"
    with sqlite3.connect(database) as conn:  # a table of that name, not the migrations' own
        conn.execute("CREATE TABLE assessments (something_else INTEGER)")
    conn.close()
    with TestClient(create_app(Settings(database_url=f"sqlite:///{database}"))) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        refused = c.post("/api/v1/assessments", json={"answers": BASE_ANSWERS})
        assert refused.status_code == 503
        assert refused.json()["errors"][0]["field"] == "database"
