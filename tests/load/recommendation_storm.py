"""A recommendation storm: many clients sending new inputs at once, and `/healthz` polled meanwhile.

Each of `clients` clients posts to POST /api/v1/recommendations, one request after another for
`duration_s` seconds, every body new (its `labelled_examples` and `budget_usd` never repeat,
its model size cycles from 8B to 405B), so no answer comes from the cache and each costs the
server a recommendation's CPU. Up to issue 21 (F7) each ran on the event loop: 40 such clients
put `/healthz` p50 at 664 ms and p99 at 878 ms in the issue (p50 130 to 170 ms, p99 470 to
530 ms here on the 2-core machine). `/healthz` is asked every 50 ms from a process of its own
(tests/load/storm_figures.py).

Checks (tests/test_recommendation_storm.py): `/healthz` p99 under 250 ms; every request answered
200, or 503 with Retry-After (too many waiting for a recommendation slot). `python -m
tests.load.recommendation_storm` prints the figures.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from tests.conftest import BASE_ANSWERS, run_coroutine
from tests.load.storm_figures import StormFigures, storm_server, with_health_polled

RECOMMEND = "/api/v1/recommendations"


@dataclass
class RecommendationStormResult(StormFigures):
    clients: int = 0
    duration_s: float = 0.0

    def summary(self) -> str:
        return self.figures(f"{self.clients} clients sending new inputs for {self.duration_s:g} s")


MODEL_SIZES_B = (8, 32, 70, 123, 405)
"""The sizes an integrator comparing models might send: the larger, the more options costed
(5 to 10 ms a recommendation, as in the issue's figures)."""


def new_inputs() -> Iterator[dict[str, object]]:
    """Valid bodies, each one not seen before: no answer can come from the cache."""
    for n in itertools.count():
        yield {
            "answers": {
                **BASE_ANSWERS,
                "labelled_examples": 1_000 + n,
                "budget_usd": 5_000 + 7 * n,
            },
            "context": {"model_size_b": MODEL_SIZES_B[n % len(MODEL_SIZES_B)]},
        }


async def _client(
    client: httpx.AsyncClient,
    bodies: Iterator[dict[str, object]],
    until: float,
    result: RecommendationStormResult,
) -> None:
    while time.perf_counter() < until:
        began = time.perf_counter()
        response = await client.post(RECOMMEND, json=next(bodies))
        result.record(response, began)


async def new_inputs_storm(base: str, result: RecommendationStormResult) -> None:
    """`result.clients` clients at once, each posting new inputs until `result.duration_s`."""
    bodies = new_inputs()
    until = time.perf_counter() + result.duration_s
    limits = httpx.Limits(max_connections=result.clients + 5)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await asyncio.gather(
            *(_client(client, bodies, until, result) for _ in range(result.clients))
        )


def recommendation_storm(clients: int = 40, duration_s: float = 5.0) -> RecommendationStormResult:
    result = RecommendationStormResult(clients=clients, duration_s=duration_s)
    with storm_server() as app:
        httpx.post(app.base + RECOMMEND, json=next(new_inputs()), timeout=60).raise_for_status()
        with_health_polled(
            app.base, lambda: run_coroutine(new_inputs_storm(app.base, result)), result
        )
    return result


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    outcome = recommendation_storm(count)
    sys.stdout.write(f"{outcome.summary()}\n")
    sys.exit(0 if outcome.health_p99_s < 0.25 else 1)
