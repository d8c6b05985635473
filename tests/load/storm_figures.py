"""What every storm shares: its server, the `/healthz` samples taken meanwhile (from a process of
its own, so the storm's client work never delays a sample), and what it records: the answers'
statuses, the slowest answer, 503s without Retry-After and the `/healthz` p99."""

from __future__ import annotations

import multiprocessing
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

import httpx

from tests.servers import GENEROUS_LIMITS, Server, serving

HEALTH_EVERY_S = 0.05


@dataclass
class StormFigures:
    health_s: list[float] = field(default_factory=list)
    health_failures: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    refused_without_retry_after: int = 0
    slowest_s: float = 0.0

    def record(self, response: httpx.Response, began: float) -> None:
        """One storm request's answer, `began` being its perf_counter() start."""
        self.slowest_s = max(self.slowest_s, time.perf_counter() - began)
        self.statuses[response.status_code] += 1
        if response.status_code == 503 and "retry-after" not in response.headers:
            self.refused_without_retry_after += 1

    @property
    def health_p99_s(self) -> float:
        if len(self.health_s) < 2:  # quantiles needs two samples
            return max(self.health_s, default=float("inf"))
        return statistics.quantiles(self.health_s, n=100, method="inclusive")[98]

    def figures(self, what: str) -> str:
        return (
            f"{what}: {dict(self.statuses)}, slowest {self.slowest_s:.1f} s, "
            f"{self.refused_without_retry_after} 503 without Retry-After; /healthz "
            f"{len(self.health_s)} times, p99 {self.health_p99_s * 1000:.0f} ms, max "
            f"{max(self.health_s, default=0) * 1000:.0f} ms, {self.health_failures} failed"
        )


@contextmanager
def storm_server(
    app: str = "app.main:app", env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """A real uvicorn server on a fresh SQLite file, without renders ahead or tight limits;
    `env` adds settings."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = {
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'storm.sqlite3'}",
            "TUNEWISE_REPORT_PRERENDER": "false",
            **GENEROUS_LIMITS,
            **(env or {}),
        }
        with serving(app, settings) as server:
            yield server


def _poll_health(base: str, ready: Event, stop: Event, samples: Queue[list[float | None]]) -> None:
    """`/healthz` every 50 ms until told to stop; each sample is seconds, or None for a failure."""
    found: list[float | None] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            began = time.perf_counter()
            ok = client.get("/healthz").status_code == 200
            found.append(time.perf_counter() - began if ok else None)
            ready.set()
            time.sleep(HEALTH_EVERY_S)
    samples.put(found)


def with_health_polled(base: str, storm: Callable[[], None], *figures: StormFigures) -> None:
    """Run `storm` while `/healthz` is polled, and give each of `figures` the samples."""
    spawn = multiprocessing.get_context("spawn")
    ready, stop, samples = spawn.Event(), spawn.Event(), spawn.Queue()
    poller = spawn.Process(target=_poll_health, args=(base, ready, stop, samples))
    poller.start()
    if not ready.wait(timeout=60):
        raise RuntimeError("the /healthz poller did not start")
    time.sleep(0.5)  # a few quiet samples first
    storm()
    stop.set()
    found = samples.get(timeout=60)
    poller.join(timeout=10)
    for f in figures:
        f.health_s = [s for s in found if s is not None]
        f.health_failures = found.count(None)
