"""Throughput and latency under `wrk` against the framework's floor, side by side in one run.

Two servers run at once, each uvicorn with one worker on a free loopback port: the real app
(on a throwaway SQLite file) and `benchmarks.bare_app`, a bare FastAPI app that answers the
same routes with responses of the same length without doing the work. For each route `wrk`
(32 connections, 2 threads, `--latency`) runs against real, bare, real, bare; the medians of
requests/second and of p50/p99 latency are compared. The targets are real/bare >= 0.7 for the
recommendation endpoint answering a cached body (issue 7), >= 0.3 for a new body (issue 25).
These machines are shared and noisy: the ratio travels, the absolute figures drift.

Routes: POST /api/v1/recommendations with the benchmark body, the same every time (what a
response cache can answer) and with a new dataset size every time (computed each time); GET
/wizard/objective against a bare Jinja page of the same size; GET of a cached PDF report
against the same bytes served bare. Results go to var/bench-throughput.json.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import FINTECH as BODY
from tests.servers import GENEROUS_LIMITS, ROOT, serving

WRK = shutil.which("wrk")
CONNECTIONS = 32
THREADS = 2
DURATION_S = 10
ROUNDS = 2
WARMUP_S = 2
POST_LUA = Path(__file__).with_name("post.lua")
OUTPUT = ROOT / "var" / "bench-throughput.json"
TARGETS = {"POST recommendation, same body": 0.7, "POST recommendation, varied body": 0.3}
"""real/bare: an answer the cache holds (issue 7), and a new input computed each time (issue 25)."""

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class WrkRun:
    requests_per_s: float
    requests: int
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    errors: int
    """non-2xx/3xx responses plus socket errors"""


def parse_wrk(text: str) -> WrkRun:
    """requests/s, the latency percentiles and the errors from `wrk --latency` output."""
    rate = _RATE.search(text)
    total = _TOTAL.search(text)
    if rate is None or total is None:
        raise ValueError(f"not wrk output:\n{text}")
    percentiles = {p: float(v) * _UNITS_MS[u] for p, v, u in _PERCENTILE.findall(text)}
    non_2xx = _NON_2XX.search(text)
    socket = _SOCKET.search(text)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
    return WrkRun(
        requests_per_s=float(rate.group(1)),
        requests=int(total.group(1)),
        p50_ms=percentiles["50"],
        p75_ms=percentiles["75"],
        p90_ms=percentiles["90"],
        p99_ms=percentiles["99"],
        errors=errors,
    )


def wrk(
    url: str, duration_s: float, body_file: Path | None = None, *, vary: bool = False
) -> WrkRun:
    assert WRK is not None
    command = [WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration_s:g}s", "--latency"]
    env = dict(os.environ)
    if body_file is not None:
        command += ["-s", str(POST_LUA)]
        env["WRK_BODY_FILE"] = str(body_file)
        env["WRK_VARY"] = "1" if vary else "0"
    done = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=True, env=env, timeout=300
    )
    return parse_wrk(done.stdout)


@dataclass(frozen=True)
class Comparison:
    name: str
    bytes: int
    real: list[WrkRun]
    bare: list[WrkRun]

    def median(self, side: str, field: str) -> float:
        runs = self.real if side == "real" else self.bare
        return float(statistics.median(float(getattr(run, field)) for run in runs))

    @property
    def ratio(self) -> float:
        return self.median("real", "requests_per_s") / self.median("bare", "requests_per_s")

    def summary(self) -> dict[str, Any]:
        return {
            "bytes": self.bytes,
            "ratio_requests_per_s": round(self.ratio, 3),
            "real": {f: self.median("real", f) for f in ("requests_per_s", "p50_ms", "p99_ms")},
            "bare": {f: self.median("bare", f) for f in ("requests_per_s", "p50_ms", "p99_ms")},
            "errors": sum(r.errors for r in (*self.real, *self.bare)),
            "runs": {
                "real": [asdict(r) for r in self.real],
                "bare": [asdict(r) for r in self.bare],
            },
        }


def compare(
    name: str,
    size: int,
    real_url: str,
    bare_url: str,
    *,
    duration_s: float,
    rounds: int,
    body_file: Path | None = None,
    vary: bool = False,
) -> Comparison:
    """Warm both up, then alternate real, bare, real, bare... (`rounds` times each)."""
    wrk(real_url, WARMUP_S, body_file, vary=vary)
    wrk(bare_url, WARMUP_S, body_file, vary=vary)
    real: list[WrkRun] = []
    bare: list[WrkRun] = []
    for _ in range(rounds):
        real.append(wrk(real_url, duration_s, body_file, vary=vary))
        bare.append(wrk(bare_url, duration_s, body_file, vary=vary))
    return Comparison(name, size, real, bare)


def _capture(base: str, folder: Path) -> tuple[dict[str, bytes], str]:
    """The real app's responses the bare app imitates, and the cached report's path."""
    with httpx.Client(base_url=base, timeout=60) as client:
        recommendation = client.post("/api/v1/recommendations", json=BODY)
        recommendation.raise_for_status()
        page = client.get("/wizard/objective")
        page.raise_for_status()
        created = client.post("/api/v1/assessments", json={**BODY, "title": "Throughput"})
        created.raise_for_status()
        report_path = str(created.json()["links"]["report"])
        client.get(report_path).raise_for_status()  # the first render, now cached
        report = client.get(report_path)
        report.raise_for_status()
    captured = {
        "recommendation.json": recommendation.content,
        "page.html": page.content,
        "report.pdf": report.content,
    }
    for name, data in captured.items():
        (folder / name).write_bytes(data)
    return captured, report_path


def _check_sizes(bare_base: str, captured: dict[str, bytes]) -> None:
    with httpx.Client(base_url=bare_base, timeout=10) as client:
        sizes = {
            "recommendation.json": len(client.post("/api/v1/recommendations", json=BODY).content),
            "page.html": len(client.get("/page").content),
            "report.pdf": len(client.get("/report.pdf").content),
        }
    for name, size in sizes.items():
        if size != len(captured[name]):
            raise RuntimeError(f"bare {name} is {size} bytes, real {len(captured[name])}")


def print_table(comparisons: list[Comparison]) -> None:
    print(
        f"{'what':34s} {'bytes':>7s} {'req/s real':>10s} {'req/s bare':>10s} {'ratio':>6s} "
        f"{'p50 ms real/bare':>17s} {'p99 ms real/bare':>17s} {'errors':>6s}"
    )
    for c in comparisons:
        p50 = f"{c.median('real', 'p50_ms'):.1f}/{c.median('bare', 'p50_ms'):.1f}"
        p99 = f"{c.median('real', 'p99_ms'):.1f}/{c.median('bare', 'p99_ms'):.1f}"
        errors = sum(r.errors for r in (*c.real, *c.bare))
        print(
            f"{c.name:34s} {c.bytes:7d} {c.median('real', 'requests_per_s'):10.0f} "
            f"{c.median('bare', 'requests_per_s'):10.0f} {c.ratio:6.2f} {p50:>17s} {p99:>17s} "
            f"{errors:6d}"
        )


def main(duration_s: float = DURATION_S, rounds: int = ROUNDS) -> dict[str, Any] | None:
    if WRK is None:
        print("wrk is not installed: `make bench` installs it (apt-get install wrk, as root)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        real_env = {"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", **GENEROUS_LIMITS}
        with serving("app.main:app", real_env) as real:
            captured, report_path = _capture(real.base, folder)
            body_file = folder / "body.json"
            body_file.write_text(json.dumps(BODY), encoding="utf-8")
            bare_env = {"TUNEWISE_BARE_DIR": str(folder)}
            with serving("benchmarks.bare_app:app", bare_env) as bare:
                _check_sizes(bare.base, captured)
                recommendations = "/api/v1/recommendations"
                plan = [
                    (
                        "POST recommendation, same body",
                        "recommendation.json",
                        recommendations,
                        recommendations,
                        body_file,
                        False,
                    ),
                    (
                        "POST recommendation, varied body",
                        "recommendation.json",
                        recommendations,
                        recommendations,
                        body_file,
                        True,
                    ),
                    (
                        "GET /wizard/objective",
                        "page.html",
                        "/wizard/objective",
                        "/page",
                        None,
                        False,
                    ),
                    (
                        "GET cached PDF report",
                        "report.pdf",
                        report_path,
                        "/report.pdf",
                        None,
                        False,
                    ),
                ]
                comparisons = [
                    compare(
                        name,
                        len(captured[key]),
                        real.base + real_path,
                        bare.base + bare_path,
                        duration_s=duration_s,
                        rounds=rounds,
                        body_file=body,
                        vary=vary,
                    )
                    for name, key, real_path, bare_path, body, vary in plan
                ]
    print_table(comparisons)
    for recommendation in comparisons[:2]:
        target = TARGETS[recommendation.name]
        verdict = "meets" if recommendation.ratio >= target else "misses"
        print(
            f"{recommendation.name}: {recommendation.ratio:.2f} of the floor, {verdict} {target}, "
            f"p99 {recommendation.median('real', 'p99_ms'):.0f} ms"
        )
    document = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "wrk": {
            "connections": CONNECTIONS,
            "threads": THREADS,
            "duration_s": duration_s,
            "rounds": rounds,
        },
        "target_ratios": TARGETS,
        "results": {c.name: c.summary() for c in comparisons},
    }
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return document


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"({time.monotonic() - started:.0f} s)")
