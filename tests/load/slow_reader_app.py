"""The app with one kind of upload read slowly: for the test of uploads queued behind it.

`uvicorn tests.load.slow_reader_app:app` serves the usual app (its settings from the
environment), except that its upload reader's parse sleeps on a report that ends in
`SLOW_MARK`, past any deadline, and reads every other upload as the app does. The parse runs
in the reader's real worker processes, so a slow read overruns and has its worker killed just
as a crafted file's would.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from app.report.attachment import read_attachment
from app.report.upload_worker import UploadReader

SLOW_MARK = b"%slow read\n"


def slow_or_real(pdf: bytes) -> dict[str, Any]:
    """Runs in a worker: a marked upload takes a minute, the rest are read as usual."""
    if pdf.endswith(SLOW_MARK):
        time.sleep(60)
    return read_attachment(pdf)


@cache
def _app() -> FastAPI:
    settings = Settings()
    built = create_app(settings)
    built.state.upload_reader = UploadReader(
        workers=settings.import_workers,
        waiting=settings.import_queue,
        timeout_s=settings.import_timeout_s,
        parse=slow_or_real,
    )
    return built


def __getattr__(name: str) -> FastAPI:
    """`app`, built on first use: the workers import this module to find `slow_or_real`, and
    must not build an app for it."""
    if name == "app":
        return _app()
    raise AttributeError(name)
