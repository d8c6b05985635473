"""Issue 15's storm: 40 crafted imports and 80 uncached report downloads at once, on one real
server, with `/healthz` polled from a process of its own the whole time.

The import storm (tests/load/import_storm.py) and the render storm (render_storm.py) each hold
alone; this runs them together, as an attacker would, since the two share the event loop, the
thread pool and the CPU. `python -m tests.load.combined_storm` prints the figures.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests import crafted_pdfs
from tests.conftest import run_coroutine
from tests.load.import_storm import IMPORT, PDF, ImportStormResult, _poll_health, crafted_uploads
from tests.load.render_storm import BODY, StormResult, _download
from tests.servers import GENEROUS_LIMITS, serving


@dataclass
class CombinedStormResult:
    imports: ImportStormResult
    renders: StormResult

    def summary(self) -> str:
        return f"{self.imports.summary()}\n{self.renders.summary()}"


async def _downloads(base: str, reports: list[str], result: StormResult) -> None:
    limits = httpx.Limits(max_connections=len(reports) + 5)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await asyncio.gather(*(_download(client, url, result) for url in reports))


async def _both(base: str, reports: list[str], result: CombinedStormResult) -> None:
    await asyncio.gather(
        crafted_uploads(base, result.imports), _downloads(base, reports, result.renders)
    )


def combined_storm(imports: int = 40, renders: int = 80) -> CombinedStormResult:
    result = CombinedStormResult(ImportStormResult(imports=imports), StormResult(renders=renders))
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'storm.sqlite3'}",
            "TUNEWISE_REPORT_PRERENDER": "false",
            **GENEROUS_LIMITS,
        }
        with serving("app.main:app", env) as app, httpx.Client(base_url=app.base) as client:
            reports = []
            for n in range(renders):
                made = client.post("/api/v1/assessments", json={**BODY, "title": f"storm {n}"})
                made.raise_for_status()
                reports.append(made.json()["links"]["report"])
            warm = client.post(IMPORT, content=crafted_pdfs.tunewise_pdf(), headers=PDF, timeout=60)
            warm.raise_for_status()  # the reader's worker starts, as after a restart
            ready, stop, samples = spawn.Event(), spawn.Event(), spawn.Queue()
            poller = spawn.Process(target=_poll_health, args=(app.base, ready, stop, samples))
            poller.start()
            if not ready.wait(timeout=60):
                raise RuntimeError("the /healthz poller did not start")
            time.sleep(0.5)  # a few quiet samples first
            run_coroutine(_both(app.base, reports, result))
            stop.set()
            found = samples.get(timeout=60)
            poller.join(timeout=10)
    result.imports.health_s = result.renders.health_s = [s for s in found if s is not None]
    result.imports.health_failures = result.renders.health_failures = found.count(None)
    return result


if __name__ == "__main__":
    outcome = combined_storm()
    sys.stdout.write(f"{outcome.summary()}\n")
    sys.exit(0 if outcome.imports.health_p99_s < 0.25 else 1)
