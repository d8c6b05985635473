"""`python -m app serve`: uvicorn with the timeouts and limits the settings give.

uvicorn's defaults never bound how many connections slow or idle clients may hold, and never
cut requests still running at shutdown; `make run` and the image both serve through here, so
the limits are said once, in app/config.py. What uvicorn cannot do (a deadline for a client
that sends its headers or body slowly) is the reverse proxy's job: README, "Security".
"""

from __future__ import annotations

from typing import Any

import uvicorn

from app.config import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run's keyword arguments for the server limits (tests read them too)."""
    return {
        "timeout_keep_alive": settings.server_keep_alive_s,
        "limit_concurrency": settings.server_max_concurrency,
        "timeout_graceful_shutdown": settings.server_shutdown_s,
    }


def serve(settings: Settings, *, host: str, port: int, access_log: bool) -> None:
    """Serve app.main:app (one process; several instances scale out, see README)."""
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        access_log=access_log,
        **uvicorn_options(settings),
    )
