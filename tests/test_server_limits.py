"""`python -m app serve` (what `make run` and the image start) bounds what clients can hold.

Before issue 15 the server ran with uvicorn's defaults: no cap on the connections slow or
idle clients keep open. Here two clients open connections and send half a request each, as a
slowloris does, and a third, complete request is answered 503 at once instead of joining them.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx

from app.config import Settings
from app.server import uvicorn_options
from tests.conftest import BASE_ANSWERS
from tests.servers import HOST, free_port, start_serve, stop, wait_healthy


def test_the_server_limits_come_from_the_settings() -> None:
    settings = Settings(server_keep_alive_s=7, server_max_concurrency=50, server_shutdown_s=45)
    assert uvicorn_options(settings) == {
        "timeout_keep_alive": 7,
        "limit_concurrency": 50,
        "timeout_graceful_shutdown": 45,
        "proxy_headers": False,
        "forwarded_allow_ips": [],
    }
    defaults = Settings()
    assert defaults.server_shutdown_s > defaults.report_timeout_s, "a render is cut at shutdown"


def test_only_the_configured_proxies_are_believed() -> None:
    behind = uvicorn_options(Settings(trusted_proxies=["10.0.0.5", "10.1.0.0/16"]))
    assert behind["proxy_headers"] is True
    assert behind["forwarded_allow_ips"] == ["10.0.0.5", "10.1.0.0/16"]


def test_a_client_cannot_pick_its_rate_limit_bucket_with_x_forwarded_for(tmp_path: Path) -> None:
    """Before issue 21 the server believed X-Forwarded-For from 127.0.0.1 (uvicorn's default),
    so a local client had a fresh bucket per header value."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'buckets.sqlite3'}",
        "TUNEWISE_RATE_LIMIT_ASSESSMENTS": "2/minute",
    }
    server = start_serve(env)
    try:
        wait_healthy(server)
        body = {"answers": BASE_ANSWERS}
        with httpx.Client(base_url=server.base, timeout=30) as client:
            for n in range(2):
                made = client.post(
                    "/api/v1/assessments", json=body, headers={"x-forwarded-for": f"10.0.0.{n}"}
                )
                assert made.status_code == 201
            spoofed = client.post(
                "/api/v1/assessments", json=body, headers={"x-forwarded-for": "10.9.8.7"}
            )
        assert spoofed.status_code == 429
        assert spoofed.json()["errors"][0]["field"] == "rate"
    finally:
        stop(server)


def test_slow_clients_cannot_hold_more_than_the_concurrency_limit(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite3'}",
        "TUNEWISE_SERVER_MAX_CONCURRENCY": "3",
    }
    server = start_serve(env, port=port)
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


AMBIGUOUS = (
    b"POST /api/v1/recommendations HTTP/1.1\r\nHost: tunewise.test\r\n"
    b"Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n"
    b"\r\n2\r\n{}\r\n0\r\n\r\n"
    b"GET /healthz HTTP/1.1\r\nHost: tunewise.test\r\n\r\n"  # what a proxy may see as body
)
"""Both framings at once (RFC 9112 6.1: an error, or the connection closed), and a second
request after it on the same connection, which a front end that believed Content-Length
would have taken for part of the first one's body: the smuggling such messages allow."""


def test_a_request_with_both_content_length_and_transfer_encoding_is_refused_and_closed(
    tmp_path: Path,
) -> None:
    port = free_port()
    server = start_serve({"DATABASE_URL": f"sqlite:///{tmp_path / 'framing.sqlite3'}"}, port=port)
    try:
        wait_healthy(server)
        with socket.create_connection((HOST, port), timeout=15) as conn:
            conn.sendall(AMBIGUOUS)
            received = b""
            while chunk := conn.recv(65536):  # until the server closes the connection
                received += chunk
    finally:
        stop(server)
    head, _, body = received.partition(b"\r\n\r\n")
    status, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    assert status == "HTTP/1.1 400 Bad Request"
    assert headers["connection"] == "close"
    assert "content-security-policy" in headers
    assert json.loads(body)["errors"][0]["field"] == "transfer-encoding"
    assert received.count(b"HTTP/1.1 ") == 1, "the request after it was answered too"
