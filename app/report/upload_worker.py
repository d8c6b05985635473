"""Reading uploaded reports in a worker process, bounded in time, memory and concurrency.

pypdf runs in pure Python, and a crafted PDF kept it busy for minutes; parsed on the event loop
(as imports were up to issue 15) it froze every request, `/healthz` included. So an upload is
read as a report render is (app.report.worker): in a worker process, with a deadline and an
address-space limit. Its caps (app.report.upload_limits) are checked on the raw bytes first,
so a file past them is refused without asking a worker. There are `workers + waiting` places;
an upload that finds them all taken is refused at once (503 with Retry-After) rather than
queued past its deadline, and one that overruns the deadline has its worker killed.

Each app holds its own reader (app.state.upload_reader), made without starting anything; the
pool starts on the first upload and stops with the app.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from app.report.processes import cap_address_space, exit_with_parent, worker_context
from app.report.upload_limits import precheck

Parse = Callable[[bytes], dict[str, Any]]
"""Reads an upload's embedded document; raises ValueError (with a message) when it can't."""

DEFAULT_MEMORY_MB = 1024
"""Address space per worker: reading a 1 MB report peaks well under 200 MB of it."""


class UploadBusyError(Exception):
    """Every place to read an upload is taken, or the pool was replaced: try again (503)."""


class UploadTimeoutError(ValueError):
    """Reading the upload ran past its deadline and its worker was stopped (422)."""


STARTUP_S = 60.0
"""The longest a new worker may take to start before uploads are told to come back (503)."""


def _started() -> bool:
    """Runs first in each new pool: done once its worker process is up."""
    return True


class _PoolStopped(Exception):  # noqa: N818  # an event inside the reader, never raised out of it
    """The pool a read was queued or running on was stopped for another read's overrun."""


TRIES = 2
"""Reads of one upload: a second, on a fresh worker, when another's overrun stopped the first."""


def _start_worker(memory_mb: int | None) -> None:
    """Worker initializer: exit with the server; pypdf's warnings stay out of the server's log
    (a crafted file made thousands of them); the address space is capped so a runaway read
    fails alone."""
    exit_with_parent()
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    cap_address_space(memory_mb)


def read_attachment(pdf: bytes) -> dict[str, Any]:
    """app.report.attachment's reader, imported where it runs: in the upload worker, whose
    fork server has imported it already, so pypdf stays out of the server process."""
    from app.report.attachment import read_attachment as read  # noqa: PLC0415  # see above

    return read(pdf)


def _read_in_worker(parse: Parse, pdf: bytes) -> dict[str, Any]:
    """Runs in the worker: every failure comes back as a plain ValueError with a message."""
    try:
        return parse(pdf)
    except MemoryError:
        message = "the PDF needs more memory to read than an upload may use"
    except ValueError as exc:
        message = str(exc)
    except Exception as exc:  # noqa: BLE001  # a crafted file may break the parser any way
        message = f"the PDF could not be read ({type(exc).__name__})"
    raise ValueError(message)


def _process_pool(workers: int, memory_mb: int | None) -> Executor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=worker_context(),
        initializer=_start_worker,
        initargs=(memory_mb,),
    )


def _stop(pool: Executor) -> None:
    """Stop a pool now, its running reads included (one ran past its deadline)."""
    if isinstance(pool, ProcessPoolExecutor):
        # No public way to stop a running task before Python 3.14 (terminate_workers); the
        # worker processes are the only handle, as in app.report.worker.
        for process in list((pool._processes or {}).values()):  # noqa: SLF001
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


class UploadReader:
    """Reads uploads' embedded documents off the event loop: `await reader.read(pdf)`.

    `parse` and `pool` are the seams tests use (a parse that waits, a pool of threads);
    the app uses read_attachment in worker processes.
    """

    def __init__(
        self,
        *,
        workers: int = 1,
        waiting: int = 16,
        timeout_s: float = 10.0,
        memory_mb: int | None = DEFAULT_MEMORY_MB,
        parse: Parse = read_attachment,
        pool: Callable[[], Executor] | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self._places = workers + waiting
        self._parse = parse
        self._make_pool = pool or (lambda: _process_pool(workers, memory_mb))
        self._pool: Executor | None = None
        self._started: Future[bool] | None = None
        """A no-op the pool ran first: its worker has started once this is done."""
        self._busy = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> int:
        """Uploads being read or waiting for a worker now."""
        return self._busy

    def _take_place(self) -> None:
        with self._lock:
            if self._busy >= self._places:
                raise UploadBusyError(f"{self._busy} uploaded reports are already being read")
            self._busy += 1

    def _leave_place(self) -> None:
        with self._lock:
            self._busy -= 1

    def _discard(self, pool: Executor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool, self._started = None, None
        _stop(pool)

    async def read(self, pdf: bytes) -> dict[str, Any]:
        """The upload's document, read within the caps, a free place and the deadline.

        Raises ValueError (UploadRefused past a cap, without a worker; UploadTimeoutError past
        the deadline) for a file that can't be read, UploadBusyError when no place is free.

        An upload queued behind another that overran has its pool stopped under it, through
        no fault of its own (issue 21, F3: it got a bare 500): it is read once more by a
        fresh worker, with a deadline of its own, and past that second try it is told to
        come back (503).
        """
        await asyncio.to_thread(precheck, pdf)  # linear, ~30 ms a megabyte: the loop answers
        self._take_place()
        try:
            for _ in range(TRIES):
                try:
                    # Off the loop: a pool's first worker may wait for the fork server to
                    # start (seconds: it imports the render and the reader first).
                    pool, started = await asyncio.to_thread(self._current_pool)
                    await self._wait_started(started)
                    return await self._read_once(pool, pdf)
                except _PoolStopped:
                    continue
            raise UploadBusyError("the upload reader was restarting")
        finally:
            self._leave_place()

    def _current_pool(self) -> tuple[Executor, Future[bool]]:
        with self._lock:
            if self._pool is None or self._started is None:
                self._pool = self._make_pool()
                self._started = self._pool.submit(_started)
            return self._pool, self._started

    async def _wait_started(self, started: Future[bool]) -> None:
        """Wait for a new pool's worker to start, which a busy machine may take seconds to
        do (the first waits for the fork server, which imports the reader): the deadline is
        for reading the upload, and starts once a worker is there to read it."""
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(started)), STARTUP_S)
        except TimeoutError as exc:
            raise UploadBusyError("the upload reader is still starting") from exc
        except (BrokenProcessPool, asyncio.CancelledError) as exc:
            task = asyncio.current_task()
            if isinstance(exc, asyncio.CancelledError) and (task is None or task.cancelling()):
                raise
            raise _PoolStopped from exc

    async def _read_once(self, pool: Executor, pdf: bytes) -> dict[str, Any]:
        """One try on `pool`; _PoolStopped when the pool was stopped for another read."""
        started = time.monotonic()
        try:
            future: Future[dict[str, Any]] = pool.submit(_read_in_worker, self._parse, pdf)
        except (BrokenProcessPool, RuntimeError) as exc:  # stopped meanwhile
            self._discard(pool)
            raise _PoolStopped from exc
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
        except TimeoutError as exc:
            if future.cancel():  # it never started: the places ahead took the time
                raise UploadBusyError("no upload reader came free in time") from exc
            self._discard(pool)
            waited = time.monotonic() - started
            message = f"the PDF took longer than {waited:.0f} s to read"
            raise UploadTimeoutError(message) from exc
        except BrokenProcessPool as exc:  # its worker was stopped for another read, or died
            self._discard(pool)
            raise _PoolStopped from exc
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is None or task.cancelling():  # the server is stopping: so is this read
                if not future.cancel():
                    self._discard(pool)
                raise
            raise _PoolStopped from None  # the future alone was cancelled: its pool stopped

    def close(self) -> None:
        """Stop the pool (app shutdown); a later read starts a new one."""
        with self._lock:
            pool, self._pool, self._started = self._pool, None, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
