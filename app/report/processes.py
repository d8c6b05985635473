"""How the report and upload workers start: forked from a fork server that has imported the
render and the reader once, instead of each spawned afresh.

A render or an upload read runs in a worker process (app.report.worker, app.report.upload_worker)
with a deadline and an address-space cap. Spawned, every worker of every pool imported
WeasyPrint, matplotlib, fontTools and pypdf itself: seconds of CPU each, paid again for every
pool remade after an overrun, and 50 times over in a test run. multiprocessing's fork server
is a fresh, single-threaded interpreter started the first time a worker is needed (fork and
exec, as spawn does, so none of the server's locks or threads reach it). It imports `PRELOAD`
once, and each worker is forked from it in milliseconds, sharing those pages.

The fork server exits when the server that started it does (the server holds the write end of
a pipe it watches), and a worker exits when the process it was forked from is gone
(`exit_with_parent`), so a kill -9 of the server leaves nothing running.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

PRELOAD = ("app.report.preload",)
"""What the fork server imports before it forks any worker (app/report/preload.py)."""
PARENT_CHECK_S = 0.5
"""How often a worker looks whether the process it was forked from still lives."""
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def worker_context() -> BaseContext:
    """The start method of every worker pool: the fork server, preloaded."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def one_blas_thread() -> None:
    """numpy (under matplotlib) reads these when it is imported: one thread per worker."""
    for name in BLAS_THREADS:
        os.environ[name] = "1"


def exit_with_parent() -> None:
    """Worker side: exit as soon as the process this worker was forked from is gone.

    A worker killed with its server would otherwise live on (and, holding the resource
    tracker's pipe open, keep that alive too) after a kill -9 of the server. PR_SET_PDEATHSIG
    is no answer: it fires when the *thread* that started the worker ends. Reparenting is what
    a dead parent looks like on POSIX, so a daemon thread compares the parent id; a parent
    already gone (the worker adopted by init) ends the worker at once.
    """
    _release_the_fork_server()
    parent = os.getppid()
    if parent == 1:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _release_the_fork_server() -> None:
    """A worker forked by the fork server is handed the server's end of the fork server's
    "alive" pipe, so that it could start processes of its own through it; the fork server
    stops only once every holder has closed it. A worker that kept it would keep the fork
    server up after a kill -9 of the server, while waiting for the fork server to go. Workers
    start no processes, so each closes its copy."""
    fork_server = forkserver._forkserver  # noqa: SLF001  # the module's one fork server
    alive = getattr(fork_server, "_forkserver_alive_fd", None)
    if alive is not None:
        os.close(alive)
        setattr(fork_server, "_forkserver_alive_fd", None)  # noqa: B010  # untyped private


def cap_address_space(memory_mb: int | None) -> None:
    """Worker side: cap the address space (within the hard limit), so that a runaway render
    or read fails alone with MemoryError instead of taking the host."""
    if memory_mb is None:
        return
    import resource  # noqa: PLC0415  # POSIX only, and only a worker needs it

    limit = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
