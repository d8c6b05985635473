"""Render slots: how many PDF renders run at once, and who may wait for one.

A render runs in a worker process; the server only waits for it. Waiting must cost no thread:
a download that blocked a thread pool thread while it queued for a slot (as downloads did up
to issue 15) let 40 waiting downloads take every thread, and `/healthz` and the pages then
waited behind them. So a download waits here as a coroutine, and only so many may wait: one
more is refused at once (503 with Retry-After) rather than queued past its deadline.

The background render after a save (a thread, app.http.prerender) only ever takes a free slot,
and never one a waiting download is owed. Slots are handed over in arrival order: `release`
gives the slot straight to the oldest waiter, so a newcomer can never overtake the queue.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from concurrent.futures import Future


class ReportBusyError(TimeoutError):
    """No render slot came free in time, or none could be waited for (503)."""


class ReportQueueFullError(ReportBusyError):
    """As many downloads as allowed are already waiting for a slot: refused at once (503)."""


class RenderSlots:
    """`size` slots shared by the event loop (downloads) and threads (the render ahead).

    Each waiter is a concurrent Future, set (under the lock) when a slot is handed to it, so a
    waiter on any thread or event loop can be woken, and a waiter giving up can tell, under the
    same lock, whether the slot became its own meanwhile.
    """

    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self._free = size
        self._waiters: deque[Future[None]] = deque()

    @property
    def waiting(self) -> int:
        """Downloads waiting for a slot now (tests and metrics)."""
        with self._lock:
            return len(self._waiters)

    def try_acquire(self) -> bool:
        """A free slot that no waiter is owed, or False at once."""
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return True
            return False

    def _enqueue(self, max_waiting: int | None) -> Future[None] | None:
        """None when a slot was free (now taken); else this caller's place in the queue."""
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return None
            if max_waiting is not None and len(self._waiters) >= max_waiting:
                raise ReportQueueFullError(
                    f"{len(self._waiters)} report renders are already waiting for a slot"
                )
            place: Future[None] = Future()
            self._waiters.append(place)
            return place

    def _give_up(self, place: Future[None]) -> bool:
        """Leave the queue; False when the slot was handed over meanwhile (it is ours)."""
        with self._lock:
            if place.done():
                return False
            self._waiters.remove(place)
            return True

    async def acquire(self, timeout_s: float, max_waiting: int | None = None) -> None:
        """Wait, as a coroutine, up to `timeout_s` for a slot; at most `max_waiting` may wait."""
        place = self._enqueue(max_waiting)
        if place is None:
            return
        handed = asyncio.wrap_future(place)
        try:
            await asyncio.wait({handed}, timeout=max(0.0, timeout_s))
        except asyncio.CancelledError:
            if not self._give_up(place):
                self.release()
            raise
        if not place.done() and self._give_up(place):
            raise ReportBusyError(f"no report render slot came free within {timeout_s:.1f} s")

    def acquire_blocking(self, timeout_s: float) -> None:
        """The same wait on a thread (benchmarks, tests, scripts): never call it on the loop."""
        place = self._enqueue(None)
        if place is None:
            return
        try:
            place.result(timeout=max(0.0, timeout_s))
        except TimeoutError:
            if self._give_up(place):
                raise ReportBusyError(
                    f"no report render slot came free within {timeout_s:.1f} s"
                ) from None

    def release(self) -> None:
        """Hand the slot to the oldest waiter, or free it."""
        with self._lock:
            if self._waiters:
                self._waiters.popleft().set_result(None)
            else:
                self._free += 1
