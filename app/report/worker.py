"""Rendering reports in worker processes, bounded in time, memory and concurrency.

WeasyPrint runs in pure Python and a pathological document could keep it busy for long; a
render therefore runs in a separate process (spawned, so no lock or thread state is inherited
from the server) with a deadline, an address-space limit, and a semaphore capping how many
renders one app process waits on at once. A render that misses its deadline has its worker
killed and the pool replaced, so the next request starts clean.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from app.assessments.store import StoredAssessment

if TYPE_CHECKING:
    from app.report.render import Paper

DEFAULT_WORKERS = 2
DEFAULT_MEMORY_MB = 2048
"""Address space per worker: a render peaks at about 550 MB of it (150 MB resident)."""


class ReportBusyError(TimeoutError):
    """Every render slot stayed taken for the whole deadline: try again later (503)."""


class ReportTimeoutError(TimeoutError):
    """The render ran past its deadline and its worker was stopped."""


_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_slots: threading.BoundedSemaphore | None = None


def _start_worker(memory_mb: int | None) -> None:
    """Worker initializer: one BLAS thread, a capped address space, then the heavy imports.

    This module imports nothing heavy itself, so numpy (under matplotlib) starts after the
    limits are set; a runaway render then fails with MemoryError instead of taking the host.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    if memory_mb is not None:
        import resource  # noqa: PLC0415  # POSIX only, and only the worker needs it

        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    importlib.import_module("app.report.render")


def _render_in_worker(assessment: StoredAssessment, paper: Paper) -> bytes:
    """Runs in the worker: fontTools stamps fonts with SOURCE_DATE_EPOCH, so set it first."""
    from app.report.render import epoch, render_pdf  # noqa: PLC0415  # see _start_worker

    os.environ["SOURCE_DATE_EPOCH"] = str(epoch(assessment.created_at))
    return render_pdf(assessment, paper)


def _executor(max_workers: int, memory_mb: int | None) -> ProcessPoolExecutor:
    global _pool, _pool_size, _slots  # noqa: PLW0603  # the process's one lazily made pool
    with _lock:
        if _pool is None or _pool_size != max_workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _pool = ProcessPoolExecutor(
                max_workers=max_workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(memory_mb,),
            )
            _pool_size = max_workers
            _slots = threading.BoundedSemaphore(max_workers)
        return _pool


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

    Blocking: call it from a thread (FastAPI runs sync endpoints in its thread pool).
    Raises ReportBusyError when no slot frees up in time (at once, without `wait_for_slot`:
    the background render after a save gives way to people's downloads), ReportTimeoutError
    when the render itself overruns.
    """
    if timeout_s <= 0:
        raise ReportBusyError("no time was left in the deadline to render the report")
    deadline = time.monotonic() + timeout_s
    pool = _executor(max_workers, memory_mb)
    slots = _slots
    assert slots is not None
    if not wait_for_slot:
        if not slots.acquire(blocking=False):
            raise ReportBusyError("every report render slot is taken")
    elif not slots.acquire(timeout=timeout_s):
        raise ReportBusyError(f"no report render slot came free within {timeout_s:g} s")
    try:
        future: Future[bytes] = pool.submit(_render_in_worker, assessment, paper)
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout as exc:
            _discard(pool)
            raise ReportTimeoutError(f"the report took longer than {timeout_s:g} s") from exc
        except BrokenProcessPool:
            _discard(pool)
            raise
    finally:
        slots.release()


def shutdown_workers() -> None:
    """Stop the worker pool (app shutdown, tests); the next render starts a new one."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
