"""Rendering reports in worker processes, bounded in time, memory and concurrency.

WeasyPrint runs in pure Python and a pathological document could keep it busy for long; a
render therefore runs in a separate process with a deadline, an address-space limit, and a
semaphore capping how many renders one app process waits on at once. The worker is forked from
a fork server that imported the render once (app.report.processes), so no lock or thread state
is inherited from the server. A render that misses its deadline has its worker killed and the
pool replaced, so the next request starts clean.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from app.assessments.store import StoredAssessment
from app.report.keys import epoch
from app.report.processes import (
    cap_address_space,
    exit_with_parent,
    one_blas_thread,
    worker_context,
)
from app.report.slots import RenderSlots, ReportBusyError, ReportQueueFullError

if TYPE_CHECKING:
    from app.views.paper import Paper

DEFAULT_WORKERS = 2
DEFAULT_MEMORY_MB = 2048
"""Address space per worker: a render peaks at about 550 MB of it (150 MB resident)."""

__all__ = [
    "ReportBusyError",
    "ReportQueueFullError",
    "ReportTimeoutError",
    "render_pdf_async",
    "render_pdf_isolated",
    "shutdown_workers",
]


class ReportTimeoutError(TimeoutError):
    """The render ran past its deadline and its worker was stopped."""


class ReportWorkerLostError(ReportBusyError):
    """The render's worker process died under it (its memory cap, or the pool being stopped for
    another render's overrun): nothing is wrong with the report, so it is a 503 to retry, not a
    500."""


WORKER_LOST = "the report's worker stopped before it finished"


_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_slots: RenderSlots | None = None


def _start_worker(memory_mb: int | None) -> None:
    """Worker initializer: watch the parent, one BLAS thread, a capped address space, then the
    render's imports (already done in the fork server that forked this worker, app.report.
    preload, unless that import failed there)."""
    exit_with_parent()
    one_blas_thread()
    cap_address_space(memory_mb)
    importlib.import_module("app.report.render")


def _render_in_worker(assessment: StoredAssessment, paper: Paper) -> bytes:
    """Runs in the worker: fontTools stamps fonts with SOURCE_DATE_EPOCH, so set it first."""
    from app.report.render import render_pdf  # noqa: PLC0415  # see _start_worker

    os.environ["SOURCE_DATE_EPOCH"] = str(epoch(assessment.created_at))
    return render_pdf(assessment, paper)


def _executor(max_workers: int, memory_mb: int | None) -> ProcessPoolExecutor:
    """The process's one pool (made on first use, remade after a render overran)."""
    global _pool, _pool_size, _slots  # noqa: PLW0603  # the process's one lazily made pool
    with _lock:
        if _pool is None or _pool_size != max_workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _pool = ProcessPoolExecutor(
                max_workers=max_workers,
                mp_context=worker_context(),
                initializer=_start_worker,
                initargs=(memory_mb,),
            )
            if _slots is None or _pool_size != max_workers:
                # Kept when a discarded pool is replaced: renders still finishing on the old
                # pool hold slots of these, so the cap holds across the replacement.
                _slots = RenderSlots(max_workers)
            _pool_size = max_workers
        return _pool


def _slots_of(max_workers: int, memory_mb: int | None) -> RenderSlots:
    _executor(max_workers, memory_mb)
    slots = _slots
    assert slots is not None
    return slots


def _discard(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers (one is stuck past its deadline) and forget the pool."""
    global _pool  # noqa: PLW0603
    with _lock:
        if _pool is pool:
            _pool = None
    # ProcessPoolExecutor has no public way to stop a running task before Python 3.14
    # (terminate_workers); its worker processes are the only handle.
    for process in list((pool._processes or {}).values()):  # noqa: SLF001
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _overran(pool: ProcessPoolExecutor, timeout_s: float) -> ReportTimeoutError:
    _discard(pool)
    return ReportTimeoutError(f"the report took longer than {timeout_s:g} s")


def render_pdf_isolated(
    assessment: StoredAssessment,
    paper: Paper = "a4",
    *,
    timeout_s: float = 30.0,
    max_workers: int = DEFAULT_WORKERS,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    wait_for_slot: bool = True,
) -> bytes:
    """render_pdf in a worker process, within `timeout_s` including the wait for a slot.

    Blocking: for threads (the background render after a save, benchmarks, scripts); the
    server's downloads await `render_pdf_async`, which holds no thread while it waits.
    Raises ReportBusyError when no slot frees up in time (at once, without `wait_for_slot`:
    the background render after a save gives way to people's downloads), ReportTimeoutError
    when the render itself overruns.
    """
    if timeout_s <= 0:
        raise ReportBusyError("no time was left in the deadline to render the report")
    deadline = time.monotonic() + timeout_s
    slots = _slots_of(max_workers, memory_mb)
    if not wait_for_slot:
        if not slots.try_acquire():
            raise ReportBusyError("every report render slot is taken")
    else:
        slots.acquire_blocking(timeout_s)
    try:
        pool = _executor(max_workers, memory_mb)
        future: Future[bytes] = pool.submit(_render_in_worker, assessment, paper)
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout as exc:
            raise _overran(pool, timeout_s) from exc
        except BrokenProcessPool as exc:
            _discard(pool)
            raise ReportWorkerLostError(WORKER_LOST) from exc
    finally:
        slots.release()


async def render_pdf_async(
    assessment: StoredAssessment,
    paper: Paper = "a4",
    *,
    timeout_s: float = 30.0,
    max_workers: int = DEFAULT_WORKERS,
    max_waiting: int | None = None,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> bytes:
    """render_pdf in a worker process, awaited on the event loop: neither the wait for a slot
    nor the render holds a thread, and both fit in `timeout_s`.

    Raises ReportQueueFullError at once when `max_waiting` downloads already wait for a slot,
    ReportBusyError when no slot frees up in time, ReportTimeoutError when the render overruns.
    """
    if timeout_s <= 0:
        raise ReportBusyError("no time was left in the deadline to render the report")
    deadline = time.monotonic() + timeout_s
    slots = _slots_of(max_workers, memory_mb)
    await slots.acquire(timeout_s, max_waiting)
    try:
        pool = _executor(max_workers, memory_mb)
        # Off the loop: starting a worker may wait for the fork server to start (seconds: it
        # imports the render first), and /healthz must answer meanwhile.
        future: Future[bytes] = await asyncio.to_thread(
            pool.submit, _render_in_worker, assessment, paper
        )
        rendering = asyncio.wrap_future(future)
        try:
            return await asyncio.wait_for(rendering, max(0.0, deadline - time.monotonic()))
        except TimeoutError as exc:
            raise _overran(pool, timeout_s) from exc
        except BrokenProcessPool as exc:
            _discard(pool)
            raise ReportWorkerLostError(WORKER_LOST) from exc
    finally:
        slots.release()


def shutdown_workers() -> None:
    """Stop the worker pool (app shutdown, tests); the next render starts a new one."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
