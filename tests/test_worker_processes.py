"""Report and upload workers fork from a fork server that imported the render and the reader
once (app.report.processes): a new worker starts without importing WeasyPrint, matplotlib or
pypdf itself, and a worker does not keep the fork server alive after its server is gone."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

from app.report.preload import WORKER_MODULES
from app.report.processes import worker_context


def _modules_before_any_import() -> tuple[list[str], int]:
    """Runs in a worker with no initializer: which worker modules are already there."""
    return [name for name in (*WORKER_MODULES, "weasyprint", "pypdf") if name in sys.modules], (
        os.getppid()
    )


def _alive_fd_after_release() -> object:
    from app.report.processes import exit_with_parent  # noqa: PLC0415  # worker side

    exit_with_parent()
    return getattr(forkserver._forkserver, "_forkserver_alive_fd", "missing")


def test_a_new_worker_finds_the_render_and_the_reader_imported() -> None:
    with ProcessPoolExecutor(1, mp_context=worker_context()) as pool:
        present, parent = pool.submit(_modules_before_any_import).result(timeout=120)
    assert present == [*WORKER_MODULES, "weasyprint", "pypdf"]
    assert parent != os.getpid()  # forked by the fork server, not by this process


def test_a_worker_gives_up_its_hold_on_the_fork_server() -> None:
    """Each forked worker is handed the write end of the fork server's "alive" pipe; one that
    kept it would keep the fork server (its parent, which it watches) up after a kill -9."""
    with ProcessPoolExecutor(1, mp_context=worker_context()) as pool:
        assert pool.submit(_alive_fd_after_release).result(timeout=120) is None
