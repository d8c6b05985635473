"""`python -m app serve`: uvicorn with the timeouts and limits the settings give.

uvicorn's defaults never bound how many connections slow or idle clients may hold, and never
cut requests still running at shutdown; `make run` and the image both serve through here, so
the limits are said once, in app/config.py. What uvicorn cannot do (a deadline for a client
that sends its headers or body slowly) is the reverse proxy's job: README, "Security".
"""

from __future__ import annotations

import logging
import os
from typing import Any

import uvicorn

from app.config import Settings

log = logging.getLogger(__name__)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run's keyword arguments for the server limits (tests read them too).

    uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise, so any local client
    (another container on the host, a local proxy passing the header through) could choose the
    address the rate limits key on; here no proxy is believed unless TUNEWISE_TRUSTED_PROXIES
    names it, and uvicorn's own FORWARDED_ALLOW_IPS is never read.
    """
    return {
        "timeout_keep_alive": settings.server_keep_alive_s,
        "limit_concurrency": settings.server_max_concurrency,
        "timeout_graceful_shutdown": settings.server_shutdown_s,
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": list(settings.trusted_proxies),
    }


def serve(settings: Settings, *, host: str, port: int, access_log: bool) -> None:
    """Serve app.main:app (one process; several instances scale out, see README)."""
    if os.environ.get("FORWARDED_ALLOW_IPS") and not settings.trusted_proxies:
        log.warning(
            "FORWARDED_ALLOW_IPS is not read by python -m app serve: no proxy's "
            "X-Forwarded-For is believed; name the proxies in TUNEWISE_TRUSTED_PROXIES"
        )
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        access_log=access_log,
        **uvicorn_options(settings),
    )
