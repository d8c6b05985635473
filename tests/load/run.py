"""A bounded load run: the app under uvicorn, locust (headless, its own process) mixing the
wizard, the API and PDF downloads, then three checks.

- no server error: no 5xx answer at all (429 from the rate limits would be expected, and the
  app under test is configured with limits far above the load anyway);
- nothing lost: every assessment created under load reads back afterwards with the answers,
  context and title it was created with;
- memory flat: the app process's resident memory at the end is at most 1.5x its value after
  warm-up plus 50 MB.

`python -m tests.load.run --duration 300 --users 8` is `make soak`; tests/test_load.py runs
it for about 20 s. The database is a throwaway SQLite file unless DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app.api.examples import ANSWERS
from tests.load import locustfile_path
from tests.servers import GENEROUS_LIMITS, ROOT, descendants_rss_bytes, rss_bytes, serving

MB = 1024 * 1024
_STATUS = re.compile(r"\b([1-5]\d\d)\b")


@dataclass
class LoadResult:
    duration_s: float
    users: int
    requests: int = 0
    failures: int = 0
    failures_by_status: dict[str, int] = field(default_factory=dict)
    requests_by_name: dict[str, int] = field(default_factory=dict)
    requests_per_s: float = 0.0
    created: int = 0
    created_by_stats: int = 0
    lost: list[str] = field(default_factory=list)
    rss_start: int = 0
    rss_end: int = 0
    rss_workers_end: int = 0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.failures_by_status.items() if status.startswith("5"))

    @property
    def unexpected_failures(self) -> int:
        """Failures that are neither a rate limit (429) nor a server error."""
        return sum(
            n
            for status, n in self.failures_by_status.items()
            if status != "429" and not status.startswith("5")
        )

    @property
    def rss_limit(self) -> float:
        return self.rss_start * 1.5 + 50 * MB

    @property
    def memory_flat(self) -> bool:
        return self.rss_end <= self.rss_limit

    def summary(self) -> str:
        lines = [
            (
                f"{self.requests} requests in {self.duration_s:g} s with {self.users} users "
                f"({self.requests_per_s:.1f}/s), {self.failures} failures "
                f"{self.failures_by_status or ''}"
            ),
            *(f"  {name}: {n}" for name, n in sorted(self.requests_by_name.items())),
            f"server errors (5xx): {self.server_errors}",
            (
                f"assessments created: {self.created} (locust counted {self.created_by_stats}), "
                f"lost or changed: {len(self.lost)}"
            ),
            (
                f"app RSS after warm-up {self.rss_start / MB:.1f} MB, at the end "
                f"{self.rss_end / MB:.1f} MB (limit {self.rss_limit / MB:.1f} MB); "
                f"PDF workers at the end {self.rss_workers_end / MB:.1f} MB"
            ),
        ]
        return "\n".join(lines)

    @property
    def passed(self) -> bool:
        return (
            self.server_errors == 0
            and self.unexpected_failures == 0
            and not self.lost
            and self.created >= self.created_by_stats
            and self.memory_flat
        )


def warm_up(base: str) -> None:
    """One of each request, a first PDF render included, before memory is measured."""
    body: dict[str, Any] = {"answers": ANSWERS}
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(3):
            client.get("/wizard/objective").raise_for_status()
            client.post("/api/v1/recommendations", json=body).raise_for_status()
        created = client.post("/api/v1/assessments", json=body)
        created.raise_for_status()
        links = created.json()["links"]
        client.get(links["html"]).raise_for_status()
        client.get(links["report"]).raise_for_status()


def run_locust(base: str, duration_s: float, users: int, folder: Path, record: Path) -> Path:
    prefix = folder / "load"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile_path()),
        "--headless",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{int(duration_s)}s",
        "--stop-timeout",
        "30",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "TUNEWISE_LOAD_RECORD": str(record)}
    done = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=duration_s + 120,
        check=False,
    )
    stats = prefix.with_name("load_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics (exit {done.returncode}):\n{done.stderr}")
    return prefix


def read_stats(prefix: Path, result: LoadResult) -> None:
    with prefix.with_name("load_stats.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            count, failures = int(row["Request Count"]), int(row["Failure Count"])
            if row["Name"] == "Aggregated":
                result.requests, result.failures = count, failures
                result.requests_per_s = float(row["Requests/s"])
                continue
            name = f"{row['Type']} {row['Name']}"
            result.requests_by_name[name] = count
            if name == "POST /api/v1/assessments":
                result.created_by_stats = count - failures
    by_status: Counter[str] = Counter()
    failures_csv = prefix.with_name("load_failures.csv")
    if failures_csv.exists():
        with failures_csv.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                found = _STATUS.search(row["Error"])
                by_status[found.group(1) if found else "no answer"] += int(row["Occurrences"])
    result.failures_by_status = dict(by_status)


def read_back(base: str, record: Path, result: LoadResult) -> None:
    """Every assessment created under load, read back: same answers, context and title."""
    lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
    result.created = len(lines)
    with httpx.Client(base_url=base, timeout=30) as client:
        for line in lines:
            entry = json.loads(line)
            sent = entry["body"]
            got = client.get(f"/api/v1/assessments/{entry['id']}")
            if got.status_code != 200:
                result.lost.append(f"{entry['id']}: {got.status_code}")
                continue
            stored = got.json()
            same = (
                stored["answers"] == sent["answers"]
                and stored["title"] == sent["title"]
                and all(stored["context"].get(k) == v for k, v in sent["context"].items())
            )
            if not same:
                result.lost.append(f"{entry['id']}: stored {stored['answers']} sent {sent}")


def main(duration_s: float = 300, users: int = 8) -> LoadResult:
    result = LoadResult(duration_s=duration_s, users=users)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{folder / 'load.sqlite3'}"),
            **GENEROUS_LIMITS,
        }
        record = folder / "assessments.jsonl"
        with serving("app.main:app", env) as app:
            warm_up(app.base)
            result.rss_start = rss_bytes(app.pid)
            prefix = run_locust(app.base, duration_s, users, folder, record)
            result.rss_end = rss_bytes(app.pid)
            result.rss_workers_end = descendants_rss_bytes(app.pid)
            read_stats(prefix, result)
            read_back(app.base, record, result)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--users", type=int, default=8, help="concurrent simulated users")
    arguments = parser.parse_args()
    started = time.monotonic()
    outcome = main(arguments.duration, arguments.users)
    elapsed = time.monotonic() - started
    verdict = "PASS" if outcome.passed else "FAIL"
    sys.stdout.write(f"{outcome.summary()}\n({elapsed:.0f} s in all)\n{verdict}\n")
    sys.exit(0 if outcome.passed else 1)
