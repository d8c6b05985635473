"""Report and upload workers fork from a fork server that imported the render and the reader
once (app.report.processes): a new worker starts without importing WeasyPrint, matplotlib or
pypdf itself, and a worker does not keep the fork server alive after its server is gone. The
server, which only names, caches and serves reports, imports neither WeasyPrint nor pypdf."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

import weasyprint  # type: ignore[import-untyped]  # WeasyPrint ships no types

from app.report.keys import weasyprint_version
from app.report.preload import WORKER_MODULES
from app.report.processes import worker_context


def _modules_before_any_import() -> tuple[list[str], int]:
    """Runs in a worker with no initializer: which worker modules are already there, and the
    worker's parent."""
    present = [name for name in (*WORKER_MODULES, "weasyprint", "pypdf") if name in sys.modules]
    return present, os.getppid()


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


def test_the_server_imports_neither_weasyprint_nor_pypdf() -> None:
    """About 2 s of CPU at every start here: the render and the upload reader run in workers."""
    script = (
        "import sys, app.main; "
        "print(sorted(m for m in ('weasyprint', 'pypdf', 'app.report.render') if m in sys.modules))"
    )
    done = subprocess.run(  # noqa: S603  # our own interpreter and a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_the_report_key_names_the_weasyprint_that_renders() -> None:
    """Read from the package's metadata in the server, it is the version the render imports,
    so a cached PDF is keyed exactly as before."""
    assert weasyprint_version() == weasyprint.__version__
