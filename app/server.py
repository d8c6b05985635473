"""`python -m app serve`: uvicorn with the timeouts and limits the settings give.

uvicorn's defaults never bound how many connections slow or idle clients may hold, and never
cut requests still running at shutdown; `make run` and the image both serve through here, so
the limits are said once, in app/config.py. What uvicorn cannot do (a deadline for a client
that sends its headers or body slowly) is the reverse proxy's job: README, "Security".
"""

from __future__ import annotations

import asyncio
import logging
import logging.config
import os
import signal
import socket
from types import FrameType
from typing import Any

import uvicorn

from app.config import Settings
from app.http.drain import Drain
from app.logs import uvicorn_log_config

log = logging.getLogger(__name__)


class DrainingServer(uvicorn.Server):
    """uvicorn, with a draining phase between SIGTERM and closing the listener.

    The first SIGTERM starts `drain` (/readyz answers 503) and keeps serving for `drain_s`
    seconds; then uvicorn's own shutdown runs: the listener closes and requests in flight
    get server_shutdown_s to finish. A second SIGTERM, or SIGINT (Ctrl+C), does not wait.

    `handle_exit` runs as a signal handler: between any two bytecodes of the main thread, and
    inside itself when a second signal lands during the first (a process manager signalling the
    group while `uv run` forwards the same signal). So it takes no lock and starts no thread:
    it sets flags, and hands the rest (the log line, the drain's timer) to the event loop
    through `call_soon_threadsafe`, which is asyncio's own way out of a signal handler.
    """

    def __init__(self, config: uvicorn.Config, drain: Drain, drain_s: float) -> None:
        super().__init__(config)
        self.drain = drain
        self.drain_s = drain_s
        self.loop: asyncio.AbstractEventLoop | None = None
        self._stop_after_drain: asyncio.TimerHandle | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()  # before uvicorn installs the signal handlers
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        loop = self.loop
        if sig != signal.SIGTERM or self.drain_s <= 0 or self.drain.active or loop is None:
            super().handle_exit(sig, frame)
            return
        self.drain.start()
        loop.call_soon_threadsafe(self._drain_then_stop, sig)

    def _drain_then_stop(self, sig: int) -> None:
        """On the event loop: say so, and stop once the drain has run its time. Once: two
        signals may both have found the drain not yet started."""
        assert self.loop is not None
        if self._stop_after_drain is not None:
            return
        log.warning("SIGTERM: draining for %g s (/readyz answers 503), then stopping", self.drain_s)
        self._stop_after_drain = self.loop.call_later(self.drain_s, self._stop, sig)

    def _stop(self, sig: int) -> None:
        super().handle_exit(sig, None)


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
    """Serve the app (one process; several instances scale out, see README), every log line
    one JSON object (app.logs), with the draining phase of DrainingServer."""
    from app.main import create_app  # noqa: PLC0415  # the app only for this command

    config_logging = uvicorn_log_config()
    logging.config.dictConfig(config_logging)
    if os.environ.get("FORWARDED_ALLOW_IPS") and not settings.trusted_proxies:
        log.warning(
            "FORWARDED_ALLOW_IPS is not read by python -m app serve: no proxy's "
            "X-Forwarded-For is believed; name the proxies in TUNEWISE_TRUSTED_PROXIES"
        )
    app = create_app(settings, serving=True)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=access_log,
        log_config=config_logging,
        **uvicorn_options(settings),
    )
    DrainingServer(config, app.state.drain, settings.server_drain_s).run()
