"""The A4 report rendered in the background as soon as an assessment is saved.

A render takes one to four seconds; a person reads the results page for longer than that
before clicking "Download PDF report", so rendering at save time makes that click a read of
the cache. The background render is the download's own render, moved earlier: the same
`render_pdf_isolated` (so the same bytes, the same worker processes, deadline and memory cap),
stored under the same `report_key` in the store's report cache. It never counts against the
client's report-render rate limit: the client asked for a save, which its assessments limit
already counted, not for a render; a portal that saves 30 assessments and then downloads
them must find its whole render budget left (issue 24).

What it never does:
- block the saving request: the request only queues the work and returns;
- run more renders than `report_workers`: it takes a slot of the same pool, and only a free
  one, so it never waits in front of a person's download (no free slot: skipped, logged);
- pile up: one background thread works a queue of at most `max_pending` saves; past that a
  save is dropped (logged), because a burst of saves is a script or a load test, and a queue
  of renders nobody may download would only delay the downloads people do ask for;
- render twice: a download of a report queued but not started takes the job over, and one
  arriving while the background render runs waits for it rather than rendering it beside it.

Any failure is one log line; the download then renders on demand, exactly as without this.
Letter and recalculated views are not rendered ahead: they are rarer and render on demand.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Final

from fastapi import Request

from app.assessments.store import AssessmentStore, StoredAssessment
from app.observability import Metrics
from app.report.keys import report_key
from app.report.worker import ReportBusyError, render_pdf_isolated
from app.views.paper import Paper

log = logging.getLogger(__name__)

PAPER: Final[Paper] = "a4"
"""The paper rendered ahead: the default download; Letter renders on demand."""
MAX_PENDING = 16
"""Saves waiting for their background render, the running one included."""


class ReportPrerenderer:
    """One app's background renders: a single thread, a bounded queue, the in-flight jobs."""

    def __init__(
        self,
        *,
        enabled: bool,
        timeout_s: float,
        workers: int,
        metrics: Metrics,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self.enabled = enabled
        self._timeout_s = timeout_s
        self._workers = workers
        self._metrics = metrics
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._jobs: dict[str, Future[None]] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False

    def schedule(self, store: AssessmentStore, stored: StoredAssessment) -> None:
        """Queue the A4 render of a just-saved assessment. Returns at once and never raises:
        whatever goes wrong here, the assessment is saved and its download renders on demand."""
        try:
            self._schedule(store, stored)
        except Exception as exc:  # noqa: BLE001  # saving must not fail for a render ahead
            self._skip(stored, "failed", f"could not be queued ({type(exc).__name__}: {exc})")

    def _schedule(self, store: AssessmentStore, stored: StoredAssessment) -> None:
        if not self.enabled:
            return
        key = report_key(stored, PAPER)
        with self._lock:
            if self._closed or key in self._jobs:
                return
            if len(self._jobs) >= self._max_pending:
                self._skip(stored, "queue_full", f"dropped: {self._max_pending} already queued")
                return
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="report-prerender")
            # Submitted under the lock, so the job cannot finish (and forget its key)
            # before it is remembered.
            self._jobs[key] = self._executor.submit(self._render, store, stored, key)

    def _render(self, store: AssessmentStore, stored: StoredAssessment, key: str) -> None:
        started = time.perf_counter()
        try:
            if store.cached_report(key) is not None:
                self._count("cached")
                return
            pdf = render_pdf_isolated(
                stored,
                PAPER,
                timeout_s=self._timeout_s,
                max_workers=self._workers,
                wait_for_slot=False,
            )
            store.store_report(key, pdf)
            self._metrics.report_render.observe(time.perf_counter() - started)
            self._count("rendered")
        except ReportBusyError:
            self._skip(stored, "busy", "skipped: every render slot is serving a download")
        except Exception as exc:  # noqa: BLE001  # one line, and the download renders on demand
            self._skip(stored, "failed", f"failed ({type(exc).__name__}: {exc})")
        finally:
            with self._lock:
                self._jobs.pop(key, None)

    async def wait_for_async(self, key: str, timeout_s: float) -> bool:
        """Before a download renders `key` itself: take over a job still queued (it is
        cancelled, the download renders now), or wait up to `timeout_s` for the one running,
        as a coroutine (no thread held). True when it waited, so the cache is worth reading
        again."""
        with self._lock:
            job = self._jobs.get(key)
            if job is None:
                return False
            if job.cancel():
                del self._jobs[key]
                self._count("taken_over")
                return False
        # asyncio.wait never cancels what it waits on: the background job runs to its end.
        await asyncio.wait({asyncio.wrap_future(job)}, timeout=max(0.0, timeout_s))
        return True

    def idle(self, timeout_s: float) -> bool:
        """Wait until no background render is queued or running (benchmarks, tests)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self._jobs:
                    return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        """App shutdown: queued renders are dropped, a running one finishes."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._jobs.clear()

    def _count(self, outcome: str) -> None:
        self._metrics.report_prerenders.labels(outcome=outcome).inc()

    def _skip(self, stored: StoredAssessment, outcome: str, why: str) -> None:
        """One log line: a warning when something broke, information when it gave way."""
        self._count(outcome)
        level = logging.WARNING if outcome in {"failed", "queue_full"} else logging.INFO
        log.log(
            level,
            "background render of the report of assessment %s %s; it renders on download",
            stored.id,
            why,
        )


def after_save(request: Request, store: AssessmentStore) -> Callable[[StoredAssessment], None]:
    """What a route hands the assessments service: once saved, queue the report's render
    (never counted against the client: see the module's docstring)."""
    prerender: ReportPrerenderer = request.app.state.prerender
    return lambda stored: prerender.schedule(store, stored)
