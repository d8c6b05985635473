"""A render storm: many uncached PDF downloads at once, and `/healthz` polled meanwhile.

Before issue 15, downloads waiting for a render slot held thread pool threads: with 60 at
once `/healthz` took up to 8.6 s, and with 80 the slowest download took 39 s, past the
documented 30 s deadline. Here `renders` assessments are created (nothing rendered ahead, so
every download is a cache miss), then all their downloads start at once against a real
uvicorn server while `/healthz` is asked every 50 ms until the last download is answered.

Checks (tests/test_load.py): `/healthz` p99 under 250 ms; every download answered 200, or 503
with Retry-After (the queue is full, or no slot came free within the deadline); none slower
than the deadline plus a margin. `python -m tests.load.render_storm` prints the figures.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass

import httpx

from benchmarks.common import FINTECH
from tests.conftest import run_coroutine
from tests.load.storm_figures import StormFigures, storm_server

BODY = {"answers": FINTECH["answers"]}
"""The fintech answers, with the default context."""
HEALTH_EVERY_S = 0.05


@dataclass
class StormResult(StormFigures):
    renders: int = 0

    def summary(self) -> str:
        return self.figures(f"{self.renders} uncached downloads at once")


async def _download(client: httpx.AsyncClient, url: str, result: StormResult) -> None:
    began = time.perf_counter()
    response = await client.get(url)
    result.record(response, began)


async def _poll_health(base: str, done: asyncio.Event, result: StormResult) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while not done.is_set():
            began = time.perf_counter()
            response = await client.get("/healthz")
            result.health_s.append(time.perf_counter() - began)
            if response.status_code != 200:
                result.health_failures += 1
            await asyncio.sleep(HEALTH_EVERY_S)


async def _storm(base: str, reports: list[str], result: StormResult) -> None:
    done = asyncio.Event()
    poller = asyncio.create_task(_poll_health(base, done, result))
    limits = httpx.Limits(max_connections=len(reports) + 5)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await asyncio.sleep(0.5)  # a few quiet samples first
        await asyncio.gather(*(_download(client, url, result) for url in reports))
    done.set()
    await poller


def saved_reports(client: httpx.Client, renders: int) -> list[str]:
    """The report links of `renders` new assessments: nothing rendered yet, nothing cached."""
    reports = []
    for n in range(renders):
        made = client.post("/api/v1/assessments", json={**BODY, "title": f"storm {n}"})
        made.raise_for_status()
        reports.append(made.json()["links"]["report"])
    return reports


def render_storm(renders: int = 80) -> StormResult:
    result = StormResult(renders=renders)
    with storm_server() as app, httpx.Client(base_url=app.base) as client:
        run_coroutine(_storm(app.base, saved_reports(client, renders), result))
    return result


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    outcome = render_storm(count)
    sys.stdout.write(f"{outcome.summary()}\n")
    sys.exit(0 if outcome.health_p99_s < 0.25 else 1)
