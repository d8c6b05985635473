"""`python -m app serve` (what `make run` and the image start) bounds what clients can hold.

Before issue 15 the server ran with uvicorn's defaults: no cap on the connections slow or
idle clients keep open. Here two clients open connections and send half a request each, as a
slowloris does, and a third, complete request is answered 503 at once instead of joining them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.config import Settings
from app.server import uvicorn_options
from tests.servers import HOST, ROOT, Server, free_port, stop, wait_healthy


def test_the_server_limits_come_from_the_settings() -> None:
    settings = Settings(server_keep_alive_s=7, server_max_concurrency=50, server_shutdown_s=45)
    assert uvicorn_options(settings) == {
        "timeout_keep_alive": 7,
        "limit_concurrency": 50,
        "timeout_graceful_shutdown": 45,
    }
    defaults = Settings()
    assert defaults.server_shutdown_s > defaults.report_timeout_s, "a render is cut at shutdown"


def test_slow_clients_cannot_hold_more_than_the_concurrency_limit(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite3'}",
        "TUNEWISE_SERVER_MAX_CONCURRENCY": "3",
    }
    command = [sys.executable, "-m", "app", "serve", "--port", str(port), "--no-access-log"]
    proc = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = Server(proc, f"http://{HOST}:{port}")
    slow: list[socket.socket] = []
    try:
        wait_healthy(server)
        for _ in range(3):
            conn = socket.create_connection((HOST, port), timeout=10)
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: tunewise.test\r\n")  # never finished
            slow.append(conn)
        refused = httpx.get(f"{server.base}/healthz", timeout=10)
        assert refused.status_code == 503
        for conn in slow:
            conn.close()
        slow.clear()
        for _ in range(100):  # the server notices the closed connections
            if httpx.get(f"{server.base}/healthz", timeout=10).status_code == 200:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the server never recovered after the slow clients left")
    finally:
        for conn in slow:
            conn.close()
        stop(server)
