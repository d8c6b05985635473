"""Real uvicorn servers on free loopback ports, for the load, scale-out and throughput runs.

Each server is `python -m uvicorn <app>` in its own process (one worker), started from the
repository root with the environment given; `wait_healthy` polls a path until it answers 200.
Never a non-loopback address: these machines reach nothing else, and must not try.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
GENEROUS_LIMITS = {
    "TUNEWISE_RATE_LIMIT_ASSESSMENTS": "100000/minute",
    "TUNEWISE_RATE_LIMIT_REPORTS": "100000/minute",
    "TUNEWISE_RATE_LIMIT_RECOMMENDATIONS": "100000/minute",
}
"""Rate limits far above what a load run sends, so every answer measures the app itself."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    proc: subprocess.Popen[bytes]
    base: str

    @property
    def pid(self) -> int:
        return self.proc.pid


def start(app: str, env: Mapping[str, str], *, port: int | None = None) -> Server:
    """Start uvicorn serving `app` (module:attribute) on a free loopback port; not yet ready."""
    port = port or free_port()
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server(proc, f"http://{HOST}:{port}")


def start_serve(
    env: Mapping[str, str], *, port: int | None = None, stderr: IO[bytes] | None = None
) -> Server:
    """Start `python -m app serve` (what `make run` and the image run: uvicorn with the options
    of app.server) on a free loopback port; not yet ready. No draining phase on SIGTERM unless
    `env` sets TUNEWISE_SERVER_DRAIN_S; its log lines go to `stderr` when given."""
    port = port or free_port()
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--no-access-log"],
        cwd=ROOT,
        env={**os.environ, "TUNEWISE_SERVER_DRAIN_S": "0", **env},
        stdout=subprocess.DEVNULL,
        stderr=stderr if stderr is not None else subprocess.DEVNULL,
    )
    return Server(proc, f"http://{HOST}:{port}")


def wait_healthy(server: Server, path: str = "/healthz", timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.base} exited with {server.proc.returncode} at start")
        try:
            with urllib.request.urlopen(f"{server.base}{path}", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"{server.base}{path} did not answer 200 within {timeout_s:g} s")


def stop(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=5)


@contextmanager
def serving(app: str, env: Mapping[str, str], path: str = "/healthz") -> Iterator[Server]:
    server = start(app, env)
    try:
        wait_healthy(server, path)
        yield server
    finally:
        stop(server)


def rss_bytes(pid: int) -> int:
    """Resident memory of one process (VmRSS in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def descendant_pids(pid: int) -> set[int]:
    """The process ids below `pid` now (its PDF render workers and their helpers)."""
    parents: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("PPid:"):
                parents[int(status.parent.name)] = int(line.split()[1])
                break
    family = {pid}
    grew = True
    while grew:
        found = {child for child, parent in parents.items() if parent in family} - family
        family |= found
        grew = bool(found)
    return family - {pid}


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (an exited child nobody has reaped yet)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return not any(
        line.startswith("State:") and "Z" in line.split()[1:2] for line in text.splitlines()
    )


def descendants_rss_bytes(pid: int) -> int:
    """Resident memory of a process's descendants (the PDF render workers and their helpers)."""
    total = 0
    for member in descendant_pids(pid):
        try:
            total += rss_bytes(member)
        except OSError:
            continue
    return total
