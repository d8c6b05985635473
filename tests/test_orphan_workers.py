"""A server killed with kill -9 leaves no PDF render worker (nor resource tracker) behind.

Before issue 15 the worker processes lived on after their server died, each holding its
memory, and the multiprocessing resource tracker (kept alive by the workers' end of its pipe)
with them. Workers now watch their parent and exit when it is gone.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from tests.conftest import BASE_ANSWERS
from tests.servers import GENEROUS_LIMITS, alive, descendant_pids, start, stop, wait_healthy


def test_render_workers_exit_when_their_server_is_killed(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'orphans.sqlite3'}",
        "TUNEWISE_REPORT_WORKERS": "1",
        "TUNEWISE_REPORT_PRERENDER": "false",
        **GENEROUS_LIMITS,
    }
    server = start("app.main:app", env)
    try:
        wait_healthy(server)
        with httpx.Client(base_url=server.base, timeout=120) as client:
            made = client.post("/api/v1/assessments", json={"answers": BASE_ANSWERS})
            assert made.status_code == 201, made.text
            pdf = client.get(made.json()["links"]["report"])
            assert pdf.status_code == 200, pdf.text
        workers = descendant_pids(server.pid)
        assert workers, "the download spawned no render worker"
        os.kill(server.pid, signal.SIGKILL)
        server.proc.wait(timeout=10)
        deadline = time.monotonic() + 30  # a bounded poll, not a timing assertion
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.1)
        left = sorted(pid for pid in workers if alive(pid))
        for pid in left:  # never leave them behind for the next test, even when failing
            os.kill(pid, signal.SIGKILL)
        assert left == [], f"still running after their server was killed: {left}"
    finally:
        stop(server)
