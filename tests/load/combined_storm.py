"""Issue 15's storm: 40 crafted imports and 80 uncached report downloads at once, on one real
server, with `/healthz` polled from a process of its own the whole time.

The import storm (tests/load/import_storm.py) and the render storm (render_storm.py) each hold
alone; this runs them together, as an attacker would, since the two share the event loop, the
thread pool and the CPU. `python -m tests.load.combined_storm` prints the figures.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

import httpx

from tests.conftest import run_coroutine
from tests.load.import_storm import ImportStormResult, crafted_uploads, warm_reader
from tests.load.render_storm import StormResult, _download, saved_reports
from tests.load.storm_figures import storm_server, with_health_polled


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
    with storm_server() as app, httpx.Client(base_url=app.base) as client:
        reports = saved_reports(client, renders)
        warm_reader(app.base)
        with_health_polled(
            app.base,
            lambda: run_coroutine(_both(app.base, reports, result)),
            result.imports,
            result.renders,
        )
    return result


if __name__ == "__main__":
    outcome = combined_storm()
    sys.stdout.write(f"{outcome.summary()}\n")
    sys.exit(0 if outcome.imports.health_p99_s < 0.25 else 1)
