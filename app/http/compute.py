"""Recommendation slots: where the CPU work of a recommendation runs, and who may wait for it.

A recommendation is 5 to 10 ms of pure Python. Run on the event loop (as the API's was up to
issue 21), 40 clients sending new inputs held the loop so long that `/healthz` took 878 ms;
run in the thread pool 40 at a time, they would fight the loop for the one interpreter lock.
So every recommendation computed for a request runs here: in a thread, at most `slots` at
once (one by default: a process has one interpreter lock, so a second thread adds no
throughput, only a longer wait for the loop), and the event loop gets the lock back within a
switch interval. A route on the loop waits for a slot as a coroutine, holding no thread (a sync
route's thread, already taken, waits with it); only so many may wait, and one more is answered
503 with Retry-After at once, as the upload reader and the render slots do, rather than queued
past any client's patience.

Each app holds its own (app.state.recommendation_slots, made in the lifespan, on the loop that
serves it). Routes on the loop `await run(...)`; code already in a worker thread (the sync
routes, the service functions they call) uses `compute`, which hops to the loop and back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple, Unpack

import anyio
import anyio.from_thread
import anyio.to_thread
from fastapi import Request

from app.http.errors import ProblemException
from app.problems import UNAVAILABLE, entry
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.rules.result import Recommendation

T = TypeVar("T")
Args = TypeVarTuple("Args")

RETRY_AFTER_S = 1
"""What a 503 for a full queue asks a client to wait: the queue drains in well under that."""


class RecommendationsBusyError(ProblemException):
    """Every slot is taken and as many requests as allowed already wait: 503, try again."""

    def __init__(self, waiting: int) -> None:
        message = (
            f"Too many recommendations are being computed just now ({waiting} waiting); "
            f"try again in {RETRY_AFTER_S} s."
        )
        super().__init__(
            UNAVAILABLE,
            message,
            [entry("", "recommendations_busy", message, field="service")],
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )


class RecommendationSlots:
    """`slots` recommendations at once, `waiting` more queued, one app's worth."""

    def __init__(self, slots: int, waiting: int) -> None:
        self._limiter = anyio.CapacityLimiter(slots)
        self._places = slots + waiting
        self._admitted = 0  # running or waiting; only ever touched on the event loop

    @property
    def admitted(self) -> int:
        """Requests running or waiting now (tests)."""
        return self._admitted

    async def run(self, work: Callable[[Unpack[Args]], T], *args: *Args) -> T:
        """`work(*args)` in a thread under a slot; RecommendationsBusyError when none can wait."""
        if self._admitted >= self._places:
            raise RecommendationsBusyError(self._admitted - int(self._limiter.total_tokens))
        self._admitted += 1
        try:
            return await anyio.to_thread.run_sync(work, *args, limiter=self._limiter)
        finally:
            self._admitted -= 1

    def compute(self, request: RecommendationRequest) -> Recommendation:
        """recommend(request) under a slot, called from a worker thread (never the loop)."""
        return anyio.from_thread.run(self.run, recommend, request)


def slots_of(request: Request) -> RecommendationSlots:
    slots: RecommendationSlots = request.app.state.recommendation_slots
    return slots
